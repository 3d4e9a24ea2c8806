/**
 * The host keys pinned for one host in OpenSSH known_hosts text: entries naming `host` (port 22)
 * or `[host]:port`. Hashed (`|1|…`) and marker (`@revoked`, `@cert-authority`) lines are not used.
 */
export function pinnedKeys(knownHosts: string, host: string, port: number): { type: string; key: string }[] {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return knownHosts
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('@') && !line.startsWith('|'))
    .map((line) => line.split(/\s+/))
    .filter(([hosts]) => (hosts ?? '').split(',').includes(name))
    .map(([, type, key]) => ({ type: type ?? '', key: key ?? '' }));
}
