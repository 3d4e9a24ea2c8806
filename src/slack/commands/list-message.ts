import type { Catalog } from '../../config/catalog.js';

/** The `/retirement list` answer: every configured pair with where it points. */
export function listMessage(catalog: Catalog): string {
  const lines = catalog.all().map((t) => {
    const approval = t.approval.required ? ', approval required' : '';
    return `• *${t.app} ${t.env}*: LMS ${t.lmsUrl}, Concourse ${t.concourse.url} team \`${t.concourse.team}\`, Vault \`${t.vault.mount}/${t.vault.path}\`${approval}`;
  });
  return [`*${catalog.all().length} configured pairs*`, ...lines].join('\n');
}
