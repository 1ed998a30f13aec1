// Loopback ports for tests.
import { freeLoopbackPort } from '../../src/main/core/sandbox/postgresServer';

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export const closedPort = freeLoopbackPort;
