/**
 * The thin HTTPS adapter over the pure handler: loopback only, a self-signed certificate made at
 * start (never written to disk), and the CA a client must trust to talk to it.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';
import type { World } from '../src/world/schema.js';
import { createArmHandler, type ArmHandler, type ArmHandlerOptions } from './handler.js';

export interface MockServerOptions extends ArmHandlerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface MockServer {
  /** `https://127.0.0.1:<port>`: pass as the ARM endpoint. */
  readonly url: string;
  /** The PEM certificate to trust (it is its own CA). */
  readonly ca: string;
  readonly handler: ArmHandler;
  close(): Promise<void>;
}

let certificate: Promise<{ cert: string; key: string }> | undefined;

/** One certificate per process: generating a key pair costs more than every request a test makes. */
function loopbackCertificate(): Promise<{ cert: string; key: string }> {
  certificate ??= generate([{ name: 'commonName', value: 'aml-preflight mock ARM' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  }).then((pems) => ({ cert: pems.cert, key: pems.private }));
  return certificate;
}

/** Serves `world` as an ARM endpoint on loopback over HTTPS. */
export async function startMockServer(world: World, options: MockServerOptions = {}): Promise<MockServer> {
  const { cert, key } = await loopbackCertificate();
  const handler = createArmHandler(world, options);
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    const gone = new AbortController();
    res.on('close', () => {
      gone.abort();
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const origin = `https://${req.headers.host ?? host}`;
      handler
        .handle(
          {
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            headers: req.headers,
            rawBody: Buffer.concat(chunks),
            body: Buffer.concat(chunks).toString('utf8'),
            signal: gone.signal,
          },
          origin,
        )
        .then((answer) => {
          if (res.destroyed) return;
          if (answer.reset) {
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.status, { ...answer.headers, 'x-ms-request-id': crypto.randomUUID() });
          res.end(answer.body);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'InternalServerError', message: `mock failed: ${String(err)}` } }));
        });
    });
  });
  // Long enough for clients to reuse connections, as they do with ARM: Node's agent drops a socket
  // 1 s before the timeout the server announces, so a 1 s timeout would mean a TLS handshake per request.
  server.keepAliveTimeout = 60_000;
  // closeAllConnections() knows only connections that carried a request; a socket still in its TLS
  // handshake, or opened and not used yet, would hold close() for the keep-alive timeout.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: cert,
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
