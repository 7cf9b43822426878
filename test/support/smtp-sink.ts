/**
 * A real SMTP server for tests (the `smtp-server` package on 127.0.0.1): records and parses
 * (postal-mime) every message it accepts, or refuses recipients with a chosen reply code.
 */
import type { AddressInfo } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  readonly port: number;
  /** Every accepted message, parsed. */
  readonly messages: Email[];
  /** The envelope recipients of each accepted message. */
  readonly recipients: string[][];
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Default: a free port. */
  port?: number;
  /** Refuse every recipient with this reply code (e.g. 550). */
  refuseWith?: number;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: Email[] = [];
  const recipients: string[][] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (options.refuseWith === undefined) return callback();
      const error = Object.assign(new Error('mailbox unavailable'), { responseCode: options.refuseWith });
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        recipients.push(session.envelope.rcptTo.map((r) => r.address));
        PostalMime.parse(Buffer.concat(chunks)).then(
          (email) => {
            messages.push(email);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    recipients,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
