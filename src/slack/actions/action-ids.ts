/** Button action ids; a button's `value` carries only an opaque run id (and phase), never state. */
export const ACTION_APPROVE = 'retirement_approve';
export const ACTION_REJECT = 'retirement_reject';
export const ACTION_RETRY = 'retirement_retry';
export const ACTION_CANCEL = 'retirement_cancel';
