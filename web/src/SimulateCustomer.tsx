import { useState, type FormEvent } from 'react';
import { SimulateInboundMessageDocument } from '../../clients/typescript/src';
import { useApi } from './api';

/** On a sandbox channel: a made-up customer writes in, as a real one would (simulateInboundMessage). */
export function SimulateCustomer({ sessionId, onError }: { sessionId: string; onError: (error: unknown) => void }) {
  const { client } = useApi();
  const [busy, setBusy] = useState(false);
  const [phone, setPhone] = useState('+15550100001');
  const [name, setName] = useState('Sample Customer');
  const [body, setBody] = useState('');

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    try {
      await client.mutate(SimulateInboundMessageDocument, { input: { sessionId, from: phone, fromName: name || undefined, body } });
      setBody('');
    } catch (caught) {
      onError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="simulate" onSubmit={send}>
      <strong>A simulated customer writes to your sandbox channel:</strong>
      <label>
        Phone <input data-testid="simulate-phone" value={phone} onChange={(e) => setPhone(e.target.value)} required />
      </label>
      <label>
        Name <input data-testid="simulate-name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Message <input data-testid="simulate-body" value={body} onChange={(e) => setBody(e.target.value)} required />
      </label>
      <button type="submit" data-testid="simulate-send" disabled={busy}>
        Send as customer
      </button>
    </form>
  );
}
