import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { InboundMessageEvent, MessageStatusEvent, SessionStatusEvent } from '../../src/channels/channel-events';
import { ProviderError } from '../../src/channels/channel-errors';
import { SandboxProvider, type SandboxProviderOptions } from '../../src/channels/sandbox/sandbox-provider';

type Emitted = MessageStatusEvent | SessionStatusEvent;

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('sandbox provider', () => {
  const providers: SandboxProvider[] = [];
  function sandbox(options: Partial<SandboxProviderOptions> = {}): { provider: SandboxProvider; events: Emitted[] } {
    const events: Emitted[] = [];
    const provider = new SandboxProvider({ sessionName: 'sb-1', ackDelaysMs: [5, 15, 25], onStatus: (event) => events.push(event), ...options });
    providers.push(provider);
    return { provider, events };
  }
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.dispose();
  });

  test('a send succeeds with a generated id and is acked SENT, DELIVERED, READ in order', async () => {
    const { provider, events } = sandbox();
    const result = await provider.sendText({ to: '+49 151 12345678', body: 'hi', clientMessageId: 'q-1' });
    assert.match(result.providerMessageId ?? '', /^sandbox_[0-9a-f-]{36}$/);
    assert.equal(events.length, 0, 'acks come later, not during the send');
    await waitFor(() => events.length === 3);
    assert.deepEqual(
      events.map((event) => [event.kind, (event as MessageStatusEvent).status, (event as MessageStatusEvent).providerMessageId]),
      [
        ['status', 'SENT', result.providerMessageId],
        ['status', 'DELIVERED', result.providerMessageId],
        ['status', 'READ', result.providerMessageId],
      ],
    );
    assert.equal((events[0] as MessageStatusEvent).recipient, '4915112345678');
    assert.equal(new Set(events.map((event) => event.eventId)).size, 3);
  });

  test('two sends get different ids; a retried send with the same client id gets the first id', async () => {
    const { provider } = sandbox();
    const a = await provider.sendText({ to: '4915112345678', body: 'a', clientMessageId: 'q-1' });
    const b = await provider.sendText({ to: '4915112345678', body: 'b', clientMessageId: 'q-2' });
    const again = await provider.sendText({ to: '4915112345678', body: 'a', clientMessageId: 'q-1' });
    assert.notEqual(a.providerMessageId, b.providerMessageId);
    assert.equal(again.providerMessageId, a.providerMessageId);
  });

  test('a failing recipient is acked SENT then FAILED with an error', async () => {
    const { provider, events } = sandbox({ failingRecipients: new Set(['4900000000000']) });
    await provider.sendMedia({ to: '4900000000000', kind: 'image', url: 'https://x.test/a.jpg', mimetype: 'image/jpeg', clientMessageId: 'f' });
    await waitFor(() => events.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.deepEqual(events.map((event) => (event as MessageStatusEvent).status), ['SENT', 'FAILED']);
    assert.equal((events[1] as MessageStatusEvent).error?.code, 'SANDBOX_FAILURE');
  });

  test('sessions go to WORKING, with a fake QR phase when asked', async () => {
    const direct = sandbox().provider;
    assert.deepEqual(await direct.startSession({ webhookUrl: 'unused' }), { externalSessionId: 'sb-1', status: 'WORKING' });

    const { provider, events } = sandbox({ qrPhaseMs: 20 });
    const state = await provider.startSession({ webhookUrl: 'unused' });
    assert.equal(state.status, 'SCAN_QR_CODE');
    assert.match(state.qrCode ?? '', /^sandbox-qr:sb-1:/);
    assert.equal((await provider.getQrCode())?.value, state.qrCode);
    await waitFor(() => events.length === 1);
    assert.equal((events[0] as SessionStatusEvent).status, 'WORKING');
    assert.equal(await provider.getQrCode(), null);
    assert.equal((await provider.stopSession()).status, 'STOPPED');
  });

  test('dispose cancels pending acks', async () => {
    const { provider, events } = sandbox({ ackDelaysMs: [30, 40, 50] });
    await provider.sendText({ to: '4915112345678', body: 'x', clientMessageId: 'd' });
    provider.dispose();
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(events.length, 0);
  });

  test('a throwing listener does not break the timers; the error is reported', async () => {
    const errors: unknown[] = [];
    const { provider } = sandbox({
      onStatus: () => {
        throw new Error('listener broke');
      },
      onListenerError: (error) => errors.push(error),
    });
    await provider.sendText({ to: '4915112345678', body: 'x', clientMessageId: 'e' });
    await waitFor(() => errors.length === 3);
  });

  test('simulated inbound messages reach onInbound and their media can be fetched', async () => {
    const inbound: InboundMessageEvent[] = [];
    const { provider } = sandbox({ onInbound: (event) => inbound.push(event) });
    const bytes = Buffer.from([1, 2, 3, 250]);
    const event = provider.simulateInbound({ from: '+1 650 555 1234', body: 'photo', fromName: 'Sam', media: { bytes, mimetype: 'image/png' } });
    assert.equal(inbound[0], event);
    assert.equal(event.from, '16505551234');
    assert.equal(event.type, 'IMAGE');
    assert.ok(event.media);
    assert.deepEqual((await provider.fetchMedia(event.media)).bytes, bytes);
  });

  test('invalid recipients are rejected as non-retryable', async () => {
    const { provider } = sandbox();
    await assert.rejects(provider.sendText({ to: 'nobody', body: 'x', clientMessageId: 'i' }), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.providerCode, 'INVALID_RECIPIENT');
      assert.equal(error.retryable, false);
      return true;
    });
  });
});
