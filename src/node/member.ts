import { type DirectoryMember, memberEntry } from '../federation/index.js';
import type { NodeContext } from './home.js';

/**
 * This node as a directory member: its administration, endpoint, every signing and encryption key it holds, and
 * its log's keys (so partners witness it). What `concord directory add-member --node DIR` puts in the directory.
 */
export function nodeMember(
  node: NodeContext,
  endpoint: string,
  options: { location?: { lat: number; lon: number }; notBefore?: string } = {},
): DirectoryMember {
  const keys = node.federation.publicKeys();
  return memberEntry({
    id: node.config.administration,
    name: node.config.name,
    endpoint,
    signing: keys.signing,
    encryption: keys.encryption,
    log: { origin: node.log.origin, key: node.log.verifierKey, witnessKey: node.log.witnessVerifierKey },
    location: options.location,
    notBefore: options.notBefore,
  });
}
