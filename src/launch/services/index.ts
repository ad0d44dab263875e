import type { HostService } from '../host-service.js';
import { authProxyService } from './auth-proxy.js';
import { egressProxyService } from './egress-proxy.js';
import { sshAgentService } from './ssh-agent.js';

/** Every host service, in the order they start (and the reverse of the order they stop). */
export const HOST_SERVICES: readonly HostService[] = [sshAgentService, authProxyService, egressProxyService];
