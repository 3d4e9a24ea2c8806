import { z } from 'zod';

/**
 * The Block Kit limits Slack enforces on the calls the bot makes (chatops-anchors.md §3.4). The
 * emulator answers `invalid_blocks` like Slack does, so a message that would break in production
 * breaks in tests too.
 */
const text = (max: number) => z.object({ type: z.enum(['plain_text', 'mrkdwn']), text: z.string().max(max) });

const confirm = z.object({
  title: text(100),
  text: text(300),
  confirm: text(30),
  deny: text(30),
  style: z.enum(['primary', 'danger']).optional(),
});

const button = z.object({
  type: z.literal('button'),
  text: text(75),
  action_id: z.string().max(255),
  value: z.string().max(2000).optional(),
  url: z.string().max(3000).optional(),
  style: z.enum(['primary', 'danger']).optional(),
  confirm: confirm.optional(),
});

/** An option of an overflow menu: plain text only, value up to 150 characters. */
const option = z.object({
  text: z.object({ type: z.literal('plain_text'), text: z.string().max(75) }),
  value: z.string().max(150),
});

/** The overflow menu ("…"): two to five options (block-elements reference). */
const overflow = z.object({
  type: z.literal('overflow'),
  action_id: z.string().max(255),
  options: z.array(option).min(2).max(5),
  confirm: confirm.optional(),
});

const element = z.discriminatedUnion('type', [button, overflow]);

const block = z.discriminatedUnion('type', [
  z.object({ type: z.literal('header'), block_id: z.string().max(255).optional(), text: text(150) }),
  z.object({
    type: z.literal('section'),
    block_id: z.string().max(255).optional(),
    text: text(3000).optional(),
    fields: z.array(text(2000)).max(10).optional(),
    accessory: element.optional(),
  }),
  z.object({ type: z.literal('divider'), block_id: z.string().max(255).optional() }),
  z.object({
    type: z.literal('context'),
    block_id: z.string().max(255).optional(),
    elements: z.array(text(3000)).min(1).max(10),
  }),
  z.object({
    type: z.literal('actions'),
    block_id: z.string().max(255).optional(),
    elements: z.array(element).min(1).max(25),
  }),
]);

export const blocksSchema = z.array(block).max(50);

/** A Home tab view as views.publish takes it (reference/views/home-tab-views): up to 100 blocks. */
export const homeViewSchema = z.object({
  type: z.literal('home'),
  blocks: z.array(block).max(100),
  private_metadata: z.string().max(3000).optional(),
  callback_id: z.string().max(255).optional(),
  external_id: z.string().optional(),
});
