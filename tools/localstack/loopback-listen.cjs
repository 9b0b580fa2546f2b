// Preloaded into kinesis-mock (NODE_OPTIONS=--require) when LocalStack runs
// on the host: kinesis-mock has no host option and listens on every
// interface. A listen on the wildcard address (or with no host) is
// rewritten to 127.0.0.1; an explicit other host or a socket path is left
// as it is.
'use strict';
const net = require('net');
const LOOPBACK = '127.0.0.1';
const wildcard = (host) => host === undefined || host === null || host === '' || host === '0.0.0.0' || host === '::';
const isPort = (value) => typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value));
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first) && !('_handle' in first) && !('fd' in first)) {
    if (first.path === undefined && wildcard(first.host)) {
      args[0] = { ...first, host: LOOPBACK };
    }
  } else if (isPort(first)) {
    if (typeof args[1] === 'string' || args[1] === null || args[1] === undefined) {
      if (wildcard(args[1])) args[1] = LOOPBACK;
    } else {
      args.splice(1, 0, LOOPBACK);
    }
  } else if (first === undefined || typeof first === 'function') {
    args.unshift(0, LOOPBACK);
  }
  return listen.apply(this, args);
};
