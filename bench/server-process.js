// Shared by the bench clients: starts a server process with LSP on its stdio and hands each stderr line to a callback.
'use strict';
const { spawn } = require('child_process');

/** Spawns command[0] with the rest as arguments; onStderrLine(line) runs once per complete stderr line. */
function startServer(command, onStderrLine) {
  const proc = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let buffered = '';
  proc.stderr.on('data', (d) => {
    buffered += d.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      onStderrLine(line);
    }
  });
  return proc;
}

module.exports = { startServer };
