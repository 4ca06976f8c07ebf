// Dev helper: prints the DDL TypeORM would run to bring an empty database to the entities.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { baseDataSourceOptions } from '../src/platform/db/data-source-options';

export async function printSchemaSql(url: string, entities: Function[]): Promise<void> {
  const ds = new DataSource({ ...baseDataSourceOptions(), url, entities });
  await ds.initialize();
  const sql = await ds.driver.createSchemaBuilder().log();
  for (const q of sql.upQueries) console.log(q.query + ';');
  await ds.destroy();
}

if (require.main === module) {
  const [, , kind, url] = process.argv;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entities = kind === 'control' ? require('../src/platform/control/control-entities').controlEntities : require('../src/app').tenantEntities;
  printSchemaSql(url, entities).catch((e) => { console.error(e); process.exit(1); });
}
