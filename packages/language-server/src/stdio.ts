/**
 * The connection over stdio, with each message written in one piece. vscode-languageserver's own
 * stdio connection writes a message's header, awaits it, then its body: two system calls per
 * message, and two wake-ups of the client reading the pipe. Against a server that answers at once
 * (bench/lsp-peer.ts's floor), one write took 0.16–0.27 ms off a completion's median round trip;
 * on Skene's server, A/B over 250 completions each, 0.16–0.22 ms.
 *
 * What the library does for stdio it is then not asked to, so it is done here: the process exits
 * when stdin ends (0 after a shutdown request, 1 before), and `console` writes to stderr, never
 * into the protocol's stream.
 */
import { Console } from 'node:console';
import { AbstractMessageWriter, StreamMessageReader, type Message, type MessageWriter } from 'vscode-languageserver/node';
import { createConnection, ProposedFeatures } from './lsp.js';

export function createStdioConnection() {
  let shutdown = false;
  const exit = () => process.exit(shutdown ? 0 : 1);
  process.stdin.on('end', exit);
  process.stdin.on('close', exit);
  routeConsoleToStderr();
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new OneWriteMessageWriter(process.stdout));
  return { connection, shutdownReceived: () => (shutdown = true) };
}

/** Writes to stdout keep their order, so one write per message needs no lock between messages. */
class OneWriteMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;

  constructor(private readonly out: NodeJS.WritableStream) {
    super();
    out.on('error', (error: Error) => this.fireError(error));
    out.on('close', () => this.fireClose());
  }

  write(message: Message): Promise<void> {
    const body = JSON.stringify(message);
    return new Promise((resolve, reject) => {
      this.out.write(`Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`, 'utf8', (error) => {
        if (!error) return resolve();
        this.fireError(error, message, ++this.errors);
        reject(error);
      });
    });
  }

  end(): void {
    this.out.end();
  }
}

/** Every method of the global console (and of references to it) writing to stderr. */
function routeConsoleToStderr(): void {
  // A Console's own methods are bound to it, as the global console's are.
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr });
  Object.assign(console, Object.fromEntries(Object.entries(toStderr).filter(([, method]) => typeof method === 'function')));
}
