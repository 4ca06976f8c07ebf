import { useEffect, useState } from 'react';
import { ContactPanelDocument, type ContactPanelQuery } from '../../clients/typescript/src';
import { useApi } from './api';

function money(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

export function ContactPanel({ contactId, onError }: { contactId: string; onError: (error: unknown) => void }) {
  const { client, epoch } = useApi();
  const [data, setData] = useState<ContactPanelQuery | null>(null);

  useEffect(() => {
    let live = true;
    client.query(ContactPanelDocument, { contactId }).then((result) => live && setData(result), onError);
    return () => {
      live = false;
    };
  }, [client, contactId, epoch, onError]);

  const contact = data?.contact;
  return (
    <aside className="contact-panel" data-testid="contact-panel">
      {contact ? (
        <>
          <h3>{contact.name}</h3>
          <dl>
            <dt>Phone</dt>
            <dd>{contact.phone ? `+${contact.phone}` : 'hidden'}</dd>
            {contact.email && (
              <>
                <dt>Email</dt>
                <dd>{contact.email}</dd>
              </>
            )}
            {contact.notes && (
              <>
                <dt>Notes</dt>
                <dd>{contact.notes}</dd>
              </>
            )}
          </dl>
          {contact.labels.length > 0 && (
            <p>
              {contact.labels.map((l) => (
                <span key={l.id} className="chip" style={{ borderColor: l.color }}>
                  {l.name}
                </span>
              ))}
            </p>
          )}
          <h4>Orders{data.orders.totalCount > 0 ? ` (${data.orders.totalCount})` : ''}</h4>
          <ul className="orders" data-testid="contact-orders">
            {data.orders.edges.map(({ node: order }) => (
              <li key={order.id} data-testid="contact-order">
                <div className="row">
                  <span>{new Date(order.createdAt).toLocaleDateString()}</span>
                  <strong>{money(order.totalCents, order.currency)}</strong>
                </div>
                <div className="row small">
                  <span>{order.items.map((i) => `${i.quantity}× ${i.productName}`).join(', ')}</span>
                  <em>{order.status.toLowerCase()}</em>
                </div>
              </li>
            ))}
            {data.orders.edges.length === 0 && <li className="empty">No orders</li>}
          </ul>
        </>
      ) : (
        <p className="empty">{data ? 'This contact was deleted' : 'Loading…'}</p>
      )}
    </aside>
  );
}
