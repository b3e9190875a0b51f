// An SMTP server that takes mail only after AUTH (PLAIN or LOGIN, offered in clear on
// loopback) with the given user and password, on `smtp-server` (the library MailDev is built
// on, taken from MailDev's own install). It writes each message it takes to <dir>/<n>.eml,
// appends "ok" or "refused" to <dir>/auth.log for each login, and prints the port it
// listens on (127.0.0.1, chosen by the system).
//
//   node smtp_auth.js <smtp-server module dir> <user> <password> <dir>
'use strict';
const fs = require('fs');
const path = require('path');

const [modulePath, user, password, dir] = process.argv.slice(2);
const { SMTPServer } = require(modulePath);
let received = 0;

const server = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS'],
  authMethods: ['PLAIN', 'LOGIN'],
  allowInsecureAuth: true,
  authOptional: false,
  logger: false,
  onAuth(auth, session, callback) {
    const ok = auth.username === user && auth.password === password;
    fs.appendFileSync(path.join(dir, 'auth.log'), ok ? 'ok\n' : 'refused\n');
    if (!ok) {
      const error = new Error('Invalid username or password');
      error.responseCode = 535;
      return callback(error);
    }
    return callback(null, { user: auth.username });
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
server.on('error', (error) => {
  process.stderr.write(`smtp_auth: ${error.message}\n`);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.server.address().port}\n`);
});
