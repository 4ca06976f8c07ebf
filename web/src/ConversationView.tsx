import { useCallback, useEffect, useLayoutEffect, useRef, useState, type MouseEvent } from 'react';
import {
  AssignConversationDocument,
  CloseConversationDocument,
  ConversationDocument,
  CreateLabelDocument,
  LabelConversationDocument,
  MarkConversationReadDocument,
  MessageReceivedDocument,
  MessageUpdatedDocument,
  OlderMessagesDocument,
  ReopenConversationDocument,
  UnlabelConversationDocument,
  type MessageFieldsFragment,
} from '../../clients/typescript/src';
import { useApi } from './api';
import { Composer } from './Composer';
import type { Conversation, Setup } from './Inbox';
import { formatTime } from './Inbox';

export type Message = MessageFieldsFragment;

const PAGE = 30;
const TICKS: Record<string, string> = { QUEUED: '🕓', SENT: '✓', DELIVERED: '✓✓', READ: '✓✓', PLAYED: '✓✓', FAILED: '⚠' };

function byTime(a: Message, b: Message): number {
  return a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

function mergeMessages(old: Message[], incoming: Message[]): Message[] {
  const byId = new Map(old.map((m) => [m.id, m]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort(byTime);
}

interface Props {
  conversation: Conversation;
  setup: Setup;
  onConversation: (conversation: Conversation) => void;
  /** A label was created: the inbox reloads its labels (filter, editor). */
  onLabelsChanged: () => void;
  onError: (error: unknown) => void;
}

export function ConversationView({ conversation, setup, onConversation, onLabelsChanged, onError }: Props) {
  const { client, epoch } = useApi();
  const id = conversation.id;
  const [messages, setMessages] = useState<Message[]>([]);
  const [older, setOlder] = useState<{ cursor: string | null; more: boolean }>({ cursor: null, more: false });
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const keepOffsetFromBottom = useRef<number | null>(null);
  const meId = setup.me.user.id;

  const markRead = useCallback(() => {
    client.mutate(MarkConversationReadDocument, { id }).then(({ markConversationRead }) => onConversation(markConversationRead), onError);
  }, [client, id, onConversation, onError]);

  // The newest page on open and after a reconnect (merged, so older pages already shown stay).
  useEffect(() => {
    let live = true;
    client.query(ConversationDocument, { id, last: PAGE }).then(({ conversation: fresh }) => {
      if (!live || !fresh) return;
      const page = fresh.messages;
      setMessages((old) => mergeMessages(old, page.edges.map((e) => e.node)));
      setOlder((current) => (current.cursor && epoch > 0 ? current : { cursor: page.pageInfo.startCursor, more: page.pageInfo.hasPreviousPage }));
      const { messages: _messages, ...rest } = fresh;
      onConversation(rest);
      if (fresh.unreadCount > 0) markRead();
    }, onError);
    return () => {
      live = false;
    };
  }, [client, id, epoch, onConversation, onError, markRead]);

  // Live: new inbound messages (then read, as the agent is looking) and status changes.
  useEffect(() => {
    const stopReceived = client.subscribe(MessageReceivedDocument, { conversationId: id }, ({ messageReceived }) => {
      setMessages((old) => mergeMessages(old, [messageReceived]));
      if (document.visibilityState === 'visible') markRead();
    });
    const stopUpdated = client.subscribe(MessageUpdatedDocument, { conversationId: id }, ({ messageUpdated }) =>
      setMessages((old) => mergeMessages(old, [messageUpdated])),
    );
    return () => {
      stopReceived();
      stopUpdated();
    };
  }, [client, id, markRead]);

  // Signed media URLs live MEDIA_URL_TTL_SECONDS: past that, fetch the loaded messages again.
  const refreshing = useRef<Promise<Message[]> | null>(null);
  const refreshMedia = useCallback((): Promise<Message[]> => {
    refreshing.current ??= client
      .query(ConversationDocument, { id, last: Math.min(100, Math.max(PAGE, messages.length)) })
      .then(({ conversation: fresh }) => {
        const nodes = fresh?.messages.edges.map((e) => e.node) ?? [];
        setMessages((old) => mergeMessages(old, nodes));
        return nodes;
      })
      .finally(() => setTimeout(() => (refreshing.current = null), 5000));
    return refreshing.current;
  }, [client, id, messages.length]);
  const expired = (message: Message) => !!message.media && Date.parse(message.media.urlExpiresAt) < Date.now() + 5000;
  const openDocument = async (event: MouseEvent, message: Message) => {
    if (!expired(message)) return;
    event.preventDefault();
    const fresh = (await refreshMedia()).find((m) => m.id === message.id);
    if (fresh?.media) window.open(fresh.media.url, '_blank', 'noreferrer');
  };

  const loadOlder = useCallback(async () => {
    if (loadingOlder || !older.more || !older.cursor) return;
    setLoadingOlder(true);
    try {
      const { conversation: page } = await client.query(OlderMessagesDocument, { id, last: PAGE, before: older.cursor });
      if (!page) return;
      const box = scroller.current;
      keepOffsetFromBottom.current = box ? box.scrollHeight - box.scrollTop : null;
      setMessages((old) => mergeMessages(old, page.messages.edges.map((e) => e.node)));
      setOlder({ cursor: page.messages.pageInfo.startCursor, more: page.messages.pageInfo.hasPreviousPage });
    } catch (caught) {
      onError(caught);
    } finally {
      setLoadingOlder(false);
    }
  }, [client, id, older, loadingOlder, onError]);

  // Scroll: stay at the bottom for new messages; keep the view still when older ones come in above.
  useLayoutEffect(() => {
    const box = scroller.current;
    if (!box) return;
    if (keepOffsetFromBottom.current !== null) {
      box.scrollTop = box.scrollHeight - keepOffsetFromBottom.current;
      keepOffsetFromBottom.current = null;
    } else if (stickToBottom.current) {
      box.scrollTop = box.scrollHeight;
    }
  }, [messages]);

  const onScroll = () => {
    const box = scroller.current;
    if (!box) return;
    stickToBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    if (box.scrollTop < 80) void loadOlder();
  };

  const act = async (run: () => Promise<Conversation>) => {
    try {
      onConversation(await run());
    } catch (caught) {
      onError(caught);
    }
  };
  const assign = (userId: string | null) =>
    act(async () => (await client.mutate(AssignConversationDocument, { id, userId })).assignConversation);
  const close = () => act(async () => (await client.mutate(CloseConversationDocument, { id })).closeConversation);
  const reopen = () => act(async () => (await client.mutate(ReopenConversationDocument, { id })).reopenConversation);
  const toggleLabel = (labelId: string, on: boolean) =>
    act(async () =>
      on
        ? (await client.mutate(LabelConversationDocument, { conversationId: id, labelId })).labelConversation
        : (await client.mutate(UnlabelConversationDocument, { conversationId: id, labelId })).unlabelConversation,
    );
  const [newLabel, setNewLabel] = useState('');
  const labels = setup.labels.edges.map((e) => e.node);
  const addLabel = async () => {
    const name = newLabel.trim();
    if (!name) return;
    try {
      const { createLabel } = await client.mutate(CreateLabelDocument, { input: { name } });
      setNewLabel('');
      onLabelsChanged();
      await toggleLabel(createLabel.id, true);
    } catch (caught) {
      onError(caught);
    }
  };

  const quoted = (message: Message) => messages.find((m) => m.id === message.replyTo?.id) ?? message.replyTo;

  return (
    <section className="conversation" data-testid="conversation-view" data-conversation-id={id}>
      <header className="conversation-header">
        <div>
          <h2>{conversation.contact.name}</h2>
          <small>
            {conversation.contact.phone ? `+${conversation.contact.phone}` : ''} · {conversation.status.toLowerCase()} · assignee:{' '}
            <span data-testid="conversation-assignee">{conversation.assignee?.name ?? 'Unassigned'}</span>
          </small>
        </div>
        <div className="actions">
          {conversation.assignee?.id !== meId && (
            <button type="button" data-testid="assign-to-me" onClick={() => assign(meId)}>
              Assign to me
            </button>
          )}
          {conversation.assignee && (
            <button type="button" data-testid="unassign" onClick={() => assign(null)}>
              Unassign
            </button>
          )}
          {conversation.status === 'CLOSED' ? (
            <button type="button" data-testid="reopen-conversation" onClick={reopen}>
              Reopen
            </button>
          ) : (
            <button type="button" data-testid="close-conversation" onClick={close}>
              Close
            </button>
          )}
        </div>
      </header>
      <div className="label-editor" data-testid="label-editor">
        {labels.map((label) => {
          const on = conversation.labels.some((l) => l.id === label.id);
          return (
            <label key={label.id} className="chip" style={{ borderColor: label.color }}>
              <input type="checkbox" checked={on} onChange={(e) => toggleLabel(label.id, e.target.checked)} />
              {label.name}
            </label>
          );
        })}
        <input
          data-testid="label-new"
          placeholder="New label"
          value={newLabel}
          onChange={(e) => setNewLabel(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && void addLabel()}
        />
        <button type="button" data-testid="label-add" onClick={addLabel} disabled={!newLabel.trim()}>
          Add
        </button>
      </div>
      <div className="messages" ref={scroller} onScroll={onScroll}>
        {older.more && (
          <button type="button" className="older" onClick={() => void loadOlder()} disabled={loadingOlder} data-testid="load-older">
            {loadingOlder ? 'Loading…' : 'Older messages'}
          </button>
        )}
        {messages.map((message) => {
          const quote = message.replyTo ? quoted(message) : null;
          return (
            <div
              key={message.id}
              className={`message ${message.direction.toLowerCase()}`}
              data-testid="message"
              data-message-id={message.id}
              data-direction={message.direction}
              data-status={message.status}
            >
              {quote && (
                <div className="quote" data-testid="message-quote">
                  {quote.body ?? quote.media?.fileName ?? `[${quote.type.toLowerCase()}]`}
                </div>
              )}
              {message.media &&
                (message.media.mimeType.startsWith('image/') ? (
                  <a href={message.media.url} target="_blank" rel="noreferrer">
                    <img
                      data-testid="message-image"
                      src={message.media.url}
                      alt={message.media.fileName}
                      loading="lazy"
                      onError={() => expired(message) && void refreshMedia().catch(onError)}
                    />
                  </a>
                ) : (
                  <a
                    data-testid="message-document"
                    className="document"
                    href={message.media.url}
                    target="_blank"
                    rel="noreferrer"
                    download={message.media.fileName}
                    onClick={(event) => void openDocument(event, message).catch(onError)}
                  >
                    📄 {message.media.fileName} <small>({Math.ceil(message.media.sizeBytes / 1024)} KB)</small>
                  </a>
                ))}
              {message.body && (
                <div className="body" data-testid="message-body">
                  {message.body}
                </div>
              )}
              {!message.body && !message.media && (
                <div className="body muted" data-testid="message-body">
                  [{message.type.toLowerCase()}]
                </div>
              )}
              {message.reactions.length > 0 && (
                <div className="reactions" data-testid="message-reactions">
                  {message.reactions.map((r, i) => (
                    <span key={i} title={r.reactor}>
                      {r.emoji}
                    </span>
                  ))}
                </div>
              )}
              <div className="footer">
                {message.sentBy && <span>{message.sentBy.name} · </span>}
                <span>{formatTime(message.createdAt)}</span>
                {message.direction === 'OUTBOUND' && (
                  <span className={`ticks ${message.status.toLowerCase()}`} title={message.failureReason ?? message.status.toLowerCase()}>
                    {' '}
                    {TICKS[message.status] ?? ''}
                  </span>
                )}
                <button type="button" className="link" data-testid="reply-to-message" onClick={() => setReplyTo(message)}>
                  Reply
                </button>
              </div>
            </div>
          );
        })}
      </div>
      <Composer
        conversationId={id}
        quickReplies={setup.quickReplies.edges.map((e) => e.node)}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onSent={(message) => {
          stickToBottom.current = true;
          setReplyTo(null);
          setMessages((old) => mergeMessages(old, [message]));
        }}
        onError={onError}
      />
    </section>
  );
}
