import type { SetupStep } from './setup-step.js';

/** `manage_user <worker> <email> --staff --superuser`: the account tubular's client acts as. */
export const workerUserStep: SetupStep = {
  id: 'worker-user',
  title: 'Retirement worker user',
  phase: 'lms',
  async apply({ target }, services) {
    const edx = await services.edxWorker();
    const result = await edx.ensureWorkerUser();
    const name = `\`${target.workerUsername}\``;
    if (result.created) return { summary: `Created ${name} as staff and superuser.`, changed: true };
    if (result.changedFlags.length > 0) {
      return { summary: `${name} existed; set ${result.changedFlags.join(' and ')}.`, changed: true };
    }
    return { summary: `${name} already in place (staff, superuser).`, changed: false };
  },
  async preview({ target }, services) {
    const user = (services.memory.inspection ?? (await (await services.edxWorker()).inspect())).user;
    const name = `\`${target.workerUsername}\``;
    if (!user.exists) return { changes: true, summary: `Would create ${name} as staff and superuser.` };
    const missing = [!user.isStaff && 'is_staff', !user.isSuperuser && 'is_superuser'].filter(Boolean);
    if (missing.length > 0)
      return { changes: true, summary: `Would set ${missing.join(' and ')} on ${name}.` };
    return { changes: false, summary: `${name} already in place (staff, superuser).` };
  },
};
