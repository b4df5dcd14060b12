#!/usr/bin/env node
// Signs ARTIFACT keyless with sigstore-js (@sigstore/sign) against FULCIO/REKOR URLs,
// with the OIDC token in $SIGSTORE_ID_TOKEN, and writes the bundle JSON to BUNDLE_OUT.
//   sign-keyless.js ARTIFACT BUNDLE_OUT FULCIO_URL REKOR_URL
'use strict';
const fs = require('fs');
const { bundleToJSON } = require('@sigstore/bundle');
const { FulcioSigner, RekorWitness, MessageSignatureBundleBuilder } = require('@sigstore/sign');

async function main() {
  const [artifact, out, fulcioBaseURL, rekorBaseURL] = process.argv.slice(2);
  const token = process.env.SIGSTORE_ID_TOKEN;
  if (!token) throw new Error('SIGSTORE_ID_TOKEN is not set');
  const signer = new FulcioSigner({ fulcioBaseURL, identityProvider: { getToken: async () => token } });
  const witnesses = [new RekorWitness({ rekorBaseURL })];
  const builder = new MessageSignatureBundleBuilder({ signer, witnesses });
  const bundle = await builder.create({ data: fs.readFileSync(artifact) });
  fs.writeFileSync(out, JSON.stringify(bundleToJSON(bundle), null, 2));
}

main().catch((e) => {
  process.stderr.write(`sigstore-js sign failed: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
