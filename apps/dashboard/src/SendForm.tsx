import { useEffect, useState, type FormEvent } from "react";
import { describeSend, LEVELS, type Level, type SentEvent } from "./events";

interface Props {
  defaultSource: string;
  sent: SentEvent[];
  timeoutSeconds: number;
  onSend: (e: { level: Level; message: string; source: string }) => Promise<void>;
}

/** Sends a test event; the status line follows the latest one (sending → pending → confirmed or timeout). */
export function SendForm({ defaultSource, sent, timeoutSeconds, onSend }: Props) {
  const [level, setLevel] = useState<Level>("info");
  const [message, setMessage] = useState("");
  const [source, setSource] = useState(defaultSource);
  // Follow the source filter until the user edits this field.
  const [sourceTouched, setSourceTouched] = useState(false);
  useEffect(() => {
    if (!sourceTouched) setSource(defaultSource);
  }, [defaultSource, sourceTouched]);

  const latest = sent[0];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!message.trim() || !source.trim()) return;
    void onSend({ level, message: message.trim(), source: source.trim() });
    setMessage("");
  };
  return (
    <form className="send" onSubmit={submit} aria-label="Send a test event">
      <select aria-label="Level" data-testid="send-level" value={level} onChange={(e) => setLevel(e.target.value as Level)}>
        {LEVELS.map((l) => (
          <option key={l}>{l}</option>
        ))}
      </select>
      <input aria-label="Source" data-testid="send-source" value={source} maxLength={128} onChange={(e) => (setSource(e.target.value), setSourceTouched(true))} />
      <input aria-label="Message" data-testid="send-message" className="grow" value={message} placeholder="Message of a test event" maxLength={8000} onChange={(e) => setMessage(e.target.value)} />
      <button type="submit" data-testid="send-button" disabled={!message.trim() || !source.trim()}>
        Send test event
      </button>
      {latest && (
        <p className={`send-status status-${latest.status}`} data-testid="send-status" data-status={latest.status} role="status">
          {describeSend(latest, timeoutSeconds)}
        </p>
      )}
    </form>
  );
}
