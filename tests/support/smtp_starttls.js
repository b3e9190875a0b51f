// An SMTP server for the STARTTLS test, on `smtp-server` (the library MailDev is built on,
// taken from MailDev's own install): it offers STARTTLS with the given certificate, refuses
// any mail sent before the session is encrypted, writes each message it takes to
// <dir>/<n>.eml, and prints the port it listens on (127.0.0.1, chosen by the system).
//
//   node smtp_starttls.js <smtp-server module dir> <cert.pem> <key.pem> <dir>
'use strict';
const fs = require('fs');
const path = require('path');

const [modulePath, cert, key, dir] = process.argv.slice(2);
const { SMTPServer } = require(modulePath);
let received = 0;

const server = new SMTPServer({
  secure: false,
  cert: fs.readFileSync(cert),
  key: fs.readFileSync(key),
  disabledCommands: ['AUTH'],
  logger: false,
  onMailFrom(address, session, callback) {
    if (!session.secure) {
      const error = new Error('Must issue a STARTTLS command first');
      error.responseCode = 530;
      return callback(error);
    }
    return callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      received += 1;
      const file = path.join(dir, `${received}.eml`);
      fs.writeFileSync(`${file}.part`, Buffer.concat(chunks));
      fs.renameSync(`${file}.part`, file);
      callback();
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.server.address().port}\n`);
});
