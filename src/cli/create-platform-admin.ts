import { Command } from 'commander';
import { PlatformAdmin } from '../platform/control/platform-admin.entity';
import { hashPassword } from '../platform/auth/password-hasher';
import { runWithTenancy } from './cli-runtime';
import { passwordProblem, passwordRules } from '../modules/identity/identity.module';

const program = new Command('admin:create')
  .description('Creates a platform admin (operators: list, suspend, reactivate tenants; never tenant data)')
  .requiredOption('--email <email>', 'login email')
  .requiredOption('--name <name>', 'display name')
  .option('--password <password>', 'password (else env ADMIN_PASSWORD, else prompted when interactive)')
  .parse();

const options = program.opts<{ email: string; name: string; password?: string }>();
const email = options.email.trim().toLowerCase();
if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) program.error('error: --email is not an email address');
if (!options.name.trim() || options.name.length > 200) program.error('error: --name must be 1-200 characters');

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stdout.write(question);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    let value = '';
    const finish = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stdout.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          return resolve(value);
        }
        if (char === '\u0003' || char === '\u0004') {
          finish();
          return reject(new Error('cancelled'));
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(): Promise<string> {
  const given = options.password ?? process.env.ADMIN_PASSWORD;
  if (given) return given;
  if (!process.stdin.isTTY) throw new Error('no password: pass --password, set ADMIN_PASSWORD, or run interactively');
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw new Error('the passwords differ');
  return first;
}

runWithTenancy(async ({ tenancy, config }) => {
  const password = await readPassword();
  const problem = passwordProblem(password, passwordRules(config), [email, options.name]);
  if (problem) {
    console.error(`Error: the password is ${problem}`);
    return 1;
  }
  const repo = tenancy.control.getRepository(PlatformAdmin);
  if (await repo.existsBy({ email })) {
    console.error(`Error: a platform admin with email ${email} already exists`);
    return 1;
  }
  const admin = repo.create({ email, name: options.name.trim(), passwordHash: await hashPassword(password) });
  await repo.insert(admin);
  console.log(`Platform admin ${admin.id} created for ${email}; sign in with the platformLogin mutation`);
  return 0;
});
