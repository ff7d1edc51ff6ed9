// Test-only bridge to the Blockchain Commons reference UR library (@ngraveio/bc-ur).
//   node ur.js encode HEX MAX_FRAGMENT COUNT   prints COUNT frames of the message, one a line
//   node ur.js decode                          reads frames on stdin, prints the message
//                                              (decodeCBOR() of the result) in hex
'use strict';
const { UR, UREncoder, URDecoder } = require('@ngraveio/bc-ur');

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'encode') {
  const [hex, maxFragment, count] = args;
  const ur = UR.fromBuffer(Buffer.from(hex, 'hex'));
  const enc = new UREncoder(ur, Number(maxFragment), 0);
  const out = [];
  for (let i = 0; i < Number(count); i++) out.push(enc.nextPart());
  process.stdout.write(out.join('\n') + '\n');
} else if (cmd === 'decode') {
  const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter((l) => l.trim());
  const dec = new URDecoder();
  for (const l of lines) {
    dec.receivePart(l.trim());
    if (dec.isComplete()) break;
  }
  if (!dec.isComplete() || !dec.isSuccess()) {
    process.stderr.write('incomplete or failed: ' + (dec.resultError ? dec.resultError() : '') + '\n');
    process.exit(2);
  }
  const ur = dec.resultUR();
  process.stdout.write(ur.type + ' ' + ur.decodeCBOR().toString('hex') + '\n');
} else {
  process.stderr.write('usage: ur.js encode HEX MAX COUNT | decode\n');
  process.exit(1);
}
