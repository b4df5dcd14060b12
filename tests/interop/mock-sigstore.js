#!/usr/bin/env node
// A local Sigstore for tests: @sigstore/mock's Fulcio and Rekor handlers served over
// HTTP on 127.0.0.1 (random port). Writes the matching trusted root to argv[2], then
// prints one line `{"url": "http://127.0.0.1:PORT"}` on stdout and serves until killed.
'use strict';
const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const mock = require('@sigstore/mock');

const keyPair = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = (key) => key.export({ format: 'der', type: 'spki' });

// An unsigned JWT shaped like a GitHub Actions OIDC token (the mock Fulcio does not
// check token signatures).
const GHA_ISSUER = 'https://token.actions.githubusercontent.com';
const GHA_IDENTITY = 'https://github.com/acme/agent-skill/.github/workflows/release.yml@refs/tags/v1.0.0';
function ghaToken(audience) {
  const b64u = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return [
    b64u({ alg: 'RS256', typ: 'JWT' }),
    b64u({ iss: GHA_ISSUER, sub: GHA_IDENTITY, aud: audience, iat: now, exp: now + 300,
      repository: 'acme/agent-skill', ref: 'refs/tags/v1.0.0', workflow: 'release' }),
    Buffer.from('not-signed').toString('base64url'),
  ].join('.');
}

async function main() {
  const rootPath = process.argv[2];
  if (!rootPath) throw new Error('usage: mock-sigstore.js TRUSTED_ROOT_OUT');
  const ctKeys = keyPair();
  const ctlog = await mock.initializeCTLog(ctKeys);
  const ca = await mock.initializeCA(keyPair(), ctlog);
  const handlers = {};
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const path = req.url.split('?')[0];
      if (req.method === 'GET' && path === '/gha-token') {
        // Stands in for GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL.
        const audience = new URL(req.url, 'http://x').searchParams.get('audience');
        if (req.headers.authorization !== 'bearer test-request-token' || !audience) {
          res.writeHead(401, { 'Content-Type': 'text/plain' });
          res.end('bad token request');
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ value: ghaToken(audience) }));
        return;
      }
      const h = req.method === 'POST' ? handlers[path] : undefined;
      if (!h) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end(`no mock for ${req.method} ${req.url}`);
        return;
      }
      try {
        const { statusCode, response, contentType } = await h(Buffer.concat(chunks).toString());
        res.writeHead(statusCode, { 'Content-Type': contentType || 'text/plain' });
        res.end(response);
      } catch (e) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(e));
      }
    });
  });
  server.listen(0, '127.0.0.1', async () => {
    const url = `http://127.0.0.1:${server.address().port}`;
    const tlogKeys = keyPair();
    const tlog = await mock.initializeTLog(url, tlogKeys);
    const fulcio = mock.fulcioHandler(ca);
    const rekor = mock.rekorHandler(tlog);
    handlers[fulcio.path] = fulcio.fn;
    handlers[rekor.path] = rekor.fn;

    const start = new Date(Date.now() - 60 * 60 * 1000).toISOString();
    const b64 = (b) => Buffer.from(b).toString('base64');
    const sha256 = (b) => crypto.createHash('sha256').update(b).digest();
    const trustedRoot = {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [{
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: b64(tlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: b64(sha256(tlog.publicKey)) },
      }],
      certificateAuthorities: [{
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start },
      }],
      ctlogs: [{
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: b64(spki(ctKeys.publicKey)), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: b64(ctlog.logID) },
      }],
      timestampAuthorities: [],
    };
    fs.writeFileSync(rootPath, JSON.stringify(trustedRoot, null, 2));
    process.stdout.write(JSON.stringify({ url }) + '\n');
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Exit when the parent (the test) closes our stdin.
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
