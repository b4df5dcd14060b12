#!/usr/bin/env node
// Verifies a Sigstore bundle with the sigstore JavaScript verifier (@sigstore/verify).
//   verify.js key BUNDLE ARTIFACT PUBLIC_KEY_PEM
//   verify.js keyless BUNDLE ARTIFACT TRUSTED_ROOT IDENTITY ISSUER
// ARTIFACT may be '-' for a DSSE bundle. Exit 0 when it verifies; prints the reason otherwise.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

function main() {
  const [mode, bundlePath, artifactPath, ...rest] = process.argv.slice(2);
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const artifact = artifactPath && artifactPath !== '-' ? fs.readFileSync(artifactPath) : undefined;
  let verifier;
  let policy;
  if (mode === 'key') {
    const publicKey = crypto.createPublicKey(fs.readFileSync(rest[0]));
    const emptyRoot = TrustedRoot.fromJSON({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [],
    });
    const keyFinder = (hint) => {
      process.stderr.write(`key hint: ${hint}\n`);
      return { publicKey, validFor: () => true };
    };
    verifier = new Verifier(toTrustMaterial(emptyRoot, keyFinder), {
      tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0,
    });
  } else if (mode === 'keyless') {
    const [rootPath, identity, issuer] = rest;
    const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8')));
    verifier = new Verifier(toTrustMaterial(root), {
      tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1,
    });
    policy = { subjectAlternativeName: identity, extensions: { issuer } };
  } else {
    throw new Error('usage: verify.js key|keyless BUNDLE ARTIFACT ...');
  }
  verifier.verify(toSignedEntity(bundle, artifact), policy);
  process.stdout.write('sigstore-js: verified\n');
}

try {
  main();
} catch (e) {
  process.stderr.write(`sigstore-js: verification failed: ${e && e.code ? e.code + ': ' : ''}${e && e.message ? e.message : e}\n`);
  process.exit(1);
}
