import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A name for the host's loopback inside a sandbox (given to podman as `--add-host NAME:10.0.2.2`), for a client
 * that refuses an authorization server at a private address but not at a name (Codex's MCP client).
 */
export const MOCK_HOST_NAME = 'mcp.ags.test';

/**
 * A test CA and a server certificate for the mock: `localhost`, 127.0.0.1 and the address the sandbox reaches the
 * host's loopback at (10.0.2.2 under slirp4netns). Claude Code refuses an http token endpoint that is not
 * loopback, so the mock speaks HTTPS; the sandbox trusts the CA through NODE_EXTRA_CA_CERTS.
 */
export function makeTestCa(dir: string): { caFile: string; keyFile: string; certFile: string } {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=ags test CA',
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(
    f('san.ext'),
    `subjectAltName=DNS:localhost,DNS:${MOCK_HOST_NAME},IP:127.0.0.1,IP:10.0.2.2\nbasicConstraints=CA:FALSE\n`,
  );
  ssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('san.ext'),
  );
  return { caFile: f('ca.pem'), keyFile: f('server.key'), certFile: f('server.pem') };
}

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * A mock OAuth 2.1 authorization server and protected MCP server (streamable HTTP, JSON answers) in one: RFC 9728
 * protected-resource metadata, RFC 8414 server metadata, dynamic client registration, /authorize that checks the
 * client, redirect URI and S256 challenge and redirects at once with a code (the user "consents" by loading it),
 * /token that checks the PKCE verifier, and /mcp that answers only with a token it issued.
 *
 * The browser runs on the host and the client in the sandbox, which see the host's loopback under different
 * names: /authorize is advertised at `browserBase` (https://localhost:PORT), everything else at `sandboxBase`.
 */
export class MockOAuthMcp {
  readonly events: string[] = [];
  readonly tokens = new Set<string>();
  private readonly clients = new Map<string, string[]>();
  private readonly codes = new Map<string, { client: string; challenge: string; redirect: string }>();
  private server: Server | HttpServer | undefined;
  port = 0;

  /** With `tls` null it speaks plain HTTP (for a client that trusts no test CA but takes http endpoints). */
  constructor(
    private readonly tls: { keyFile: string; certFile: string } | null,
    /** What the sandbox calls the host's loopback: 10.0.2.2, or MOCK_HOST_NAME when podman is told it. */
    private readonly sandboxHost = '10.0.2.2',
  ) {}

  private get scheme(): string {
    return this.tls ? 'https' : 'http';
  }
  get sandboxBase(): string {
    return `${this.scheme}://${this.sandboxHost}:${this.port}`;
  }
  /** Where the host's browser is sent: localhost, or the sandbox's name for it (mapped by the browser). */
  get browserBase(): string {
    const host = this.sandboxHost === '10.0.2.2' ? 'localhost' : this.sandboxHost;
    return `${this.scheme}://${host}:${this.port}`;
  }

  async start(): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = this.tls
      ? createServer({ key: readFileSync(this.tls.keyFile), cert: readFileSync(this.tls.certFile) }, handler)
      : createHttpServer(handler);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.sandboxBase);
    this.events.push(`${req.method} ${url.pathname}`);
    const resource = `${this.sandboxBase}/mcp`;
    if (url.pathname.startsWith('/.well-known/oauth-protected-resource')) {
      return this.json(res, 200, {
        resource,
        authorization_servers: [this.sandboxBase],
        scopes_supported: ['mcp'],
      });
    }
    if (url.pathname.startsWith('/.well-known/oauth-authorization-server')) {
      return this.json(res, 200, {
        issuer: this.sandboxBase,
        authorization_endpoint: `${this.browserBase}/authorize`,
        token_endpoint: `${this.sandboxBase}/token`,
        registration_endpoint: `${this.sandboxBase}/register`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['mcp'],
      });
    }
    if (url.pathname === '/register' && req.method === 'POST') {
      const meta = JSON.parse(raw) as { redirect_uris?: string[] };
      const id = `client-${randomBytes(6).toString('hex')}`;
      this.clients.set(id, meta.redirect_uris ?? []);
      return this.json(res, 201, { ...meta, client_id: id, token_endpoint_auth_method: 'none' });
    }
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      const redirect = q.get('redirect_uri') ?? '';
      const client = q.get('client_id') ?? '';
      if (!this.clients.get(client)?.includes(redirect))
        return this.json(res, 400, { error: 'invalid_request' });
      if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
        return this.json(res, 400, { error: 'invalid_request', error_description: 'PKCE S256 required' });
      }
      const code = b64url(randomBytes(16));
      this.codes.set(code, { client, challenge: q.get('code_challenge')!, redirect });
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
      back.searchParams.set('iss', this.sandboxBase);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(raw);
      if (form.get('grant_type') === 'refresh_token') {
        const token = b64url(randomBytes(24));
        this.tokens.add(token);
        return this.json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
      }
      const grant = this.codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const ok =
        grant &&
        grant.client === form.get('client_id') &&
        grant.redirect === form.get('redirect_uri') &&
        b64url(createHash('sha256').update(verifier).digest()) === grant.challenge;
      if (!ok) return this.json(res, 400, { error: 'invalid_grant' });
      this.codes.delete(form.get('code')!);
      const token = b64url(randomBytes(24));
      this.tokens.add(token);
      this.events.push('token issued');
      return this.json(res, 200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: b64url(randomBytes(24)),
        scope: 'mcp',
      });
    }
    if (url.pathname === '/mcp') {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice(7))) {
        return this.json(
          res,
          401,
          { error: 'invalid_token' },
          {
            'www-authenticate': `Bearer resource_metadata="${this.sandboxBase}/.well-known/oauth-protected-resource/mcp"`,
          },
        );
      }
      if (req.method !== 'POST') return this.json(res, 405, {});
      const msg = JSON.parse(raw) as { id?: number | string; method: string };
      this.events.push(`mcp ${msg.method}`);
      if (msg.id === undefined) return void res.writeHead(202).end();
      const reply = (result: unknown) => this.json(res, 200, { jsonrpc: '2.0', id: msg.id, result });
      if (msg.method === 'initialize') {
        return reply({
          protocolVersion: '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: 'mock-mcp', version: '1.0.0' },
        });
      }
      if (msg.method === 'tools/list') {
        return reply({
          tools: [
            {
              name: 'whoami',
              description: 'Says who you are',
              inputSchema: { type: 'object', properties: {} },
            },
          ],
        });
      }
      if (msg.method === 'tools/call')
        return reply({ content: [{ type: 'text', text: 'you are logged in to mock-mcp' }] });
      return this.json(res, 200, {
        jsonrpc: '2.0',
        id: msg.id,
        error: { code: -32601, message: 'method not found' },
      });
    }
    this.json(res, 404, { error: 'not found', path: url.pathname });
  }
}
