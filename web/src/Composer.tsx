import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { SendMessageDocument, UploadDocumentDocument } from '../../clients/typescript/src';
import { fileToBase64, useApi } from './api';
import type { Message } from './ConversationView';

interface QuickReply {
  id: string;
  shortcut: string;
  title: string;
  body: string;
}

interface Props {
  conversationId: string;
  quickReplies: QuickReply[];
  replyTo: Message | null;
  onCancelReply: () => void;
  onSent: (message: Message) => void;
  onError: (error: unknown) => void;
}

/** Text, an attachment (uploaded with uploadDocument, then sent by id), a quoted message, quick replies. */
export function Composer({ conversationId, quickReplies, replyTo, onCancelReply, onSent, onError }: Props) {
  const { client } = useApi();
  const [body, setBody] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const text = body.trim();
    if ((!text && !file) || busy) return;
    setBusy(true);
    try {
      let documentId: string | undefined;
      if (file) {
        const { uploadDocument } = await client.mutate(UploadDocumentDocument, {
          input: { filename: file.name, contentType: file.type || 'application/octet-stream', contentBase64: await fileToBase64(file) },
        });
        documentId = uploadDocument.id;
      }
      const { sendMessage } = await client.mutate(SendMessageDocument, {
        input: { conversationId, body: text || undefined, documentId, replyToId: replyTo?.id },
      });
      setBody('');
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      onSent(sendMessage);
    } catch (caught) {
      onError(caught);
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    } else if (event.key === 'Tab' && body.startsWith('/')) {
      // "/hours" + Tab: the quick reply with that shortcut.
      const match = quickReplies.find((q) => q.shortcut === body.trim().toLowerCase());
      if (match) {
        event.preventDefault();
        setBody(match.body);
      }
    }
  };

  return (
    <form className="composer" onSubmit={send}>
      {replyTo && (
        <div className="replying">
          Replying to: <q>{replyTo.body ?? replyTo.media?.fileName ?? replyTo.type.toLowerCase()}</q>
          <button type="button" className="link" data-testid="composer-reply-cancel" onClick={onCancelReply}>
            Cancel
          </button>
        </div>
      )}
      <div className="composer-row">
        <select
          data-testid="quick-replies"
          aria-label="Quick replies"
          value=""
          onChange={(e) => {
            const chosen = quickReplies.find((q) => q.id === e.target.value);
            if (chosen) setBody((old) => (old ? `${old} ${chosen.body}` : chosen.body));
          }}
        >
          <option value="">Quick replies{quickReplies.length ? '' : ' (none yet)'}</option>
          {quickReplies.map((q) => (
            <option key={q.id} value={q.id}>
              {q.shortcut} · {q.title}
            </option>
          ))}
        </select>
        <textarea
          data-testid="composer-input"
          placeholder="Type a message (Enter sends, Shift+Enter new line, /shortcut + Tab)"
          value={body}
          rows={2}
          onChange={(e) => setBody(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <label className="attach" title="Attach a file">
          Attach
          <input ref={fileInput} type="file" data-testid="composer-attach" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" data-testid="composer-send" disabled={busy || (!body.trim() && !file)}>
          {busy ? 'Sending…' : 'Send'}
        </button>
      </div>
      {file && (
        <div className="attachment">
          {file.name} ({Math.ceil(file.size / 1024)} KB)
          <button type="button" className="link" onClick={() => { setFile(null); if (fileInput.current) fileInput.current.value = ''; }}>
            Remove
          </button>
        </div>
      )}
    </form>
  );
}
