/** Button action ids; a button's `value` carries only an opaque run id (and phase), never state. */
export const ACTION_APPROVE = 'retirement_approve';
export const ACTION_REJECT = 'retirement_reject';
export const ACTION_RETRY = 'retirement_retry';
export const ACTION_CANCEL = 'retirement_cancel';
/** Health alerts: Repair (value `app/env`) and Silence (`app/env:1h`, one action id per duration). */
export const ACTION_REPAIR = 'retirement_repair';
export const ACTION_SILENCE = 'retirement_silence';
/** The App Home board's per-pair menu (value `check:app/env`, `plan:…`, `setup:…`). */
export const ACTION_BOARD = 'retirement_board';
