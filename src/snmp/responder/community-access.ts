/** Who may read: a community string, optionally tied to source networks (RFC 3584 §5.2 style). */
import { BlockList, isIP } from 'node:net';

export type AccessDecision = 'allowed' | 'badCommunity' | 'badSource';

export interface Community {
  readonly name: string;
  /** Networks (CIDR or one address) allowed to use it; undefined = any source. */
  readonly sources?: readonly string[] | undefined;
}

interface CompiledCommunity {
  readonly name: Buffer;
  /** Undefined = any source. */
  readonly sources: BlockList | undefined;
}

/** `::ffff:10.0.0.1`, as a dual-stack socket reports IPv4 peers, is checked as 10.0.0.1. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export class CommunityAccess {
  private readonly communities: CompiledCommunity[];

  constructor(communities: readonly Community[]) {
    this.communities = communities.map((community) => ({
      name: Buffer.from(community.name, 'utf8'),
      sources: community.sources && compileSources(community.sources),
    }));
  }

  check(community: Buffer, sourceAddress: string): AccessDecision {
    const matching = this.communities.filter((c) => c.name.equals(community));
    if (matching.length === 0) return 'badCommunity';
    const { address, family } = normalise(sourceAddress);
    return matching.some((c) => !c.sources || c.sources.check(address, family)) ? 'allowed' : 'badSource';
  }
}

function compileSources(sources: readonly string[]): BlockList {
  const list = new BlockList();
  for (const source of sources) {
    const [address = '', prefix] = source.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix), family);
  }
  return list;
}
