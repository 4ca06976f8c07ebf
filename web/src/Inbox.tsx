import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  ConnectSandboxDocument,
  ConversationsDocument,
  ConversationUpdatedDocument,
  InboxSetupDocument,
  WhatsappSessionUpdatedDocument,
  type ConversationFieldsFragment,
  type ConversationFilter,
  type InboxSetupQuery,
} from '../../clients/typescript/src';
import { errorMessage, isUnauthenticated, useApi } from './api';
import { ContactPanel } from './ContactPanel';
import { ConversationView } from './ConversationView';
import { knownSessions } from './session';
import { SimulateCustomer } from './SimulateCustomer';

export type Conversation = ConversationFieldsFragment;
/** The inbox signs in as a member, so `me` is always there (it is null only for API keys). */
export type Setup = InboxSetupQuery & { me: NonNullable<InboxSetupQuery['me']> };

interface Filters {
  open: boolean;
  unread: boolean;
  mine: boolean;
  unassigned: boolean;
  labelId: string;
  search: string;
}

const NO_FILTERS: Filters = { open: false, unread: false, mine: false, unassigned: false, labelId: '', search: '' };

function toApiFilter(filters: Filters, meId: string | undefined): ConversationFilter {
  const search = filters.search.trim();
  return {
    ...(filters.open ? { status: 'OPEN' as const } : {}),
    ...(filters.unread ? { unreadOnly: true } : {}),
    ...(filters.mine && meId ? { assigneeId: meId } : {}),
    ...(filters.unassigned ? { unassigned: true } : {}),
    ...(filters.labelId ? { labelId: filters.labelId } : {}),
    ...(search ? { search } : {}),
  };
}

/** The same test as the server's filter, so a live update can enter or leave the list. */
function matches(conversation: Conversation, filters: Filters, meId: string | undefined): boolean {
  if (filters.open && conversation.status !== 'OPEN') return false;
  if (filters.unread && conversation.unreadCount === 0) return false;
  if (filters.mine && conversation.assignee?.id !== meId) return false;
  if (filters.unassigned && conversation.assignee) return false;
  if (filters.labelId && !conversation.labels.some((l) => l.id === filters.labelId)) return false;
  const search = filters.search.trim().toLowerCase();
  if (search) {
    const digits = search.replace(/\D/g, '');
    const byName = conversation.contact.name.toLowerCase().split(/\s+/).some((word) => word.startsWith(search)) ||
      conversation.contact.name.toLowerCase().startsWith(search);
    const byPhone = digits.length > 0 && digits.length === search.replace(/[\s+()-]/g, '').length && (conversation.contact.phone ?? '').startsWith(digits);
    if (!byName && !byPhone) return false;
  }
  return true;
}

const newestFirst = (a: Conversation, b: Conversation) =>
  (b.lastMessageAt ?? b.updatedAt).localeCompare(a.lastMessageAt ?? a.updatedAt) || b.id.localeCompare(a.id);

export function Inbox({ onSwitchTenant, onSignOut }: { onSwitchTenant: (tenantId: string) => void; onSignOut: () => void }) {
  const { client, connection, epoch } = useApi();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [hasMore, setHasMore] = useState<{ endCursor: string | null } | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [selected, setSelected] = useState<Conversation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [simulating, setSimulating] = useState(false);
  const meId = setup?.me.user.id;

  const fail = useCallback(
    (caught: unknown) => {
      if (isUnauthenticated(caught)) onSignOut();
      else setError(errorMessage(caught));
    },
    [onSignOut],
  );

  const loadSetup = useCallback(
    () =>
      client.query(InboxSetupDocument, {}).then((data) => {
        if (!data.me) throw new Error('Sign in as a member to use the inbox');
        setSetup({ ...data, me: data.me });
      }, fail).catch(fail),
    [client, fail],
  );
  useEffect(() => void loadSetup(), [loadSetup, epoch]);
  // Channels, labels and quick replies made elsewhere (another agent, the API) show up too.
  useEffect(() => client.subscribe(WhatsappSessionUpdatedDocument, {}, () => void loadSetup()), [client, loadSetup]);
  const knownLabels = useRef(new Set<string>());
  knownLabels.current = new Set(setup?.labels.edges.map((e) => e.node.id));

  // The list: refetched when the filters change and after a reconnect.
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const meRef = useRef(meId);
  meRef.current = meId;
  const listRequest = useRef(0);
  const loadList = useCallback(
    async (after?: string) => {
      const request = ++listRequest.current;
      try {
        const { conversations: page } = await client.query(ConversationsDocument, {
          filter: toApiFilter(filtersRef.current, meRef.current),
          first: 50,
          after,
        });
        if (request !== listRequest.current) return;
        const nodes = page.edges.map((e) => e.node);
        setConversations((old) => (after ? [...old, ...nodes.filter((n) => !old.some((o) => o.id === n.id))] : nodes));
        setHasMore(page.pageInfo.hasNextPage ? { endCursor: page.pageInfo.endCursor } : null);
      } catch (caught) {
        fail(caught);
      }
    },
    [client, fail],
  );
  useEffect(() => {
    if (filters.mine && !meId) return;
    const timer = setTimeout(() => void loadList(), filters.search ? 200 : 0);
    return () => clearTimeout(timer);
  }, [loadList, filters, meId, epoch]);

  /** A conversation as the server just told: updated in place, or in or out of the list. */
  const upsert = useCallback((conversation: Conversation) => {
    if (conversation.labels.some((l) => !knownLabels.current.has(l.id))) void loadSetup();
    setConversations((old) => {
      const rest = old.filter((c) => c.id !== conversation.id);
      const keep = matches(conversation, filtersRef.current, meRef.current);
      return keep ? [...rest, conversation].sort(newestFirst) : rest;
    });
    setSelected((current) => (current?.id === conversation.id ? conversation : current));
  }, [loadSetup]);

  useEffect(
    () => client.subscribe(ConversationUpdatedDocument, {}, ({ conversationUpdated }) => upsert(conversationUpdated)),
    [client, upsert],
  );

  const select = useCallback(
    (conversation: Conversation) => {
      setSelectedId(conversation.id);
      setSelected(conversation);
      void loadSetup();
    },
    [loadSetup],
  );

  const sandbox = setup?.whatsappSessions.find((s) => s.provider === 'SANDBOX') ?? null;
  const addSandbox = async () => {
    try {
      await client.mutate(ConnectSandboxDocument, { name: 'Sandbox' });
      await loadSetup();
    } catch (caught) {
      fail(caught);
    }
  };

  const tenants = useMemo(() => {
    const list = knownSessions().map((s) => ({ id: s.tenantId, name: s.tenantName }));
    if (setup && !list.some((t) => t.id === setup.me.tenant.id)) list.push({ id: setup.me.tenant.id, name: setup.me.tenant.name });
    return list.sort((a, b) => a.name.localeCompare(b.name));
  }, [setup]);

  const labels = setup?.labels.edges.map((e) => e.node) ?? [];
  const connected = connection === 'connected';

  return (
    <div className="inbox">
      <header className="topbar">
        <strong className="brand">WhatsApp CRM</strong>
        <select
          data-testid="tenant-switcher"
          aria-label="Organisation"
          value={setup?.me.tenant.id ?? ''}
          onChange={(e) => onSwitchTenant(e.target.value)}
        >
          {tenants.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <span className={`connection ${connected ? 'ok' : 'lost'}`} data-testid="connection-status" data-state={connected ? 'connected' : 'reconnecting'}>
          {connected ? 'Live' : connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
        <span className="spacer" />
        {sandbox ? (
          <button type="button" data-testid="simulate-customer" aria-expanded={simulating} onClick={() => setSimulating(!simulating)}>
            Simulate a customer
          </button>
        ) : setup ? (
          <button type="button" data-testid="connect-sandbox" onClick={addSandbox} title="A simulated channel: nothing leaves the server">
            Add a sandbox channel
          </button>
        ) : null}
        <a data-testid="open-explorer" href="/graphiql" target="_blank" rel="noreferrer">
          API explorer
        </a>
        <span className="me">{setup?.me.user.name}</span>
        <button type="button" data-testid="logout" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {sandbox && simulating && <SimulateCustomer sessionId={sandbox.id} onError={fail} />}
      {error && (
        <div className="error" role="alert" onClick={() => setError(null)}>
          {error} <small>(click to dismiss)</small>
        </div>
      )}
      <main className="panes">
        <aside className="sidebar">
          <input
            data-testid="conversation-search"
            type="search"
            placeholder="Search name or phone"
            value={filters.search}
            onChange={(e) => setFilters({ ...filters, search: e.target.value })}
          />
          <div className="filters">
            {(
              [
                ['open', 'Open'],
                ['unread', 'Unread'],
                ['mine', 'Mine'],
                ['unassigned', 'Unassigned'],
              ] as const
            ).map(([key, text]) => (
              <label key={key}>
                <input
                  type="checkbox"
                  data-testid={`filter-${key}`}
                  checked={filters[key]}
                  onChange={(e) => setFilters({ ...filters, [key]: e.target.checked })}
                />
                {text}
              </label>
            ))}
            <select data-testid="filter-label" aria-label="Label" value={filters.labelId} onChange={(e) => setFilters({ ...filters, labelId: e.target.value })}>
              <option value="">Any label</option>
              {labels.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </div>
          <ul className="conversation-list" data-testid="conversation-list">
            {conversations.map((c) => (
              <li
                key={c.id}
                data-testid="conversation-item"
                data-conversation-id={c.id}
                className={c.id === selectedId ? 'selected' : undefined}
                onClick={() => select(c)}
              >
                <div className="row">
                  <span className="name" data-testid="conversation-name">
                    {c.contact.name}
                  </span>
                  {c.unreadCount > 0 && (
                    <span className="badge" data-testid="unread-count">
                      {c.unreadCount}
                    </span>
                  )}
                </div>
                <div className="row small">
                  <span className="last" data-testid="conversation-last-message">
                    {c.lastMessage ? `${c.lastMessage.direction === 'OUTBOUND' ? 'You: ' : ''}${c.lastMessage.body ?? `[${c.lastMessage.type.toLowerCase()}]`}` : ''}
                  </span>
                  <span className="meta">
                    {c.status !== 'OPEN' && <em>{c.status.toLowerCase()} </em>}
                    {c.lastMessageAt && formatTime(c.lastMessageAt)}
                  </span>
                </div>
              </li>
            ))}
            {conversations.length === 0 && <li className="empty">No conversations{sandbox ? ': simulate a customer to start one' : ''}</li>}
            {hasMore && (
              <li className="more">
                <button type="button" onClick={() => void loadList(hasMore.endCursor ?? undefined)}>
                  More
                </button>
              </li>
            )}
          </ul>
        </aside>
        {selected && setup ? (
          <>
            <ConversationView key={selected.id} conversation={selected} setup={setup} onConversation={upsert} onLabelsChanged={loadSetup} onError={fail} />
            <ContactPanel key={`contact-${selected.contact.id}`} contactId={selected.contact.id} onError={fail} />
          </>
        ) : (
          <section className="placeholder">
            <p>Choose a conversation.</p>
            {sandbox && <p>Use “Simulate a customer” above to receive a message on the sandbox channel.</p>}
          </section>
        )}
      </main>
    </div>
  );
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString([], { day: 'numeric', month: 'short' });
}
