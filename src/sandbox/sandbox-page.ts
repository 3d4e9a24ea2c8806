import { MRKDWN_SCRIPT } from './sandbox-mrkdwn.js';

/**
 * The sandbox's one page: it plays a Slack channel. Commands typed in the box are sent to the bot
 * as signed slash commands; buttons send signed block_actions; the channel, threads and
 * "only visible to you" answers are read back from the Slack emulator.
 */
export const SANDBOX_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>#ops · retirement-bot sandbox</title>
<style>
  body { font: 15px/1.45 -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f8f8f8; color: #1d1c1d; }
  header { background: #3f0e40; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 17px; margin: 0; }
  header label { font-size: 13px; }
  main { max-width: 980px; margin: 0 auto; padding: 12px 16px 120px; }
  .message { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px 12px; margin: 10px 0; }
  .message .who { font-weight: 700; font-size: 13px; color: #555; }
  .ephemeral { background: #f4f8fd; border-color: #c6dcf5; }
  .ephemeral .visibility { font-weight: 400; }
  a { color: #1264a3; }
  .mention { color: #1264a3; background: #e8f5fa; }
  .thread { margin: 8px 0 0 24px; border-left: 3px solid #ddd; padding-left: 10px; }
  .thread .message { margin: 6px 0; }
  .context { color: #616061; font-size: 13px; }
  .actions { display: flex; gap: 8px; margin-top: 6px; }
  button { font: inherit; border: 1px solid #bbb; background: #fff; border-radius: 4px; padding: 4px 12px; cursor: pointer; }
  button.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
  button.danger { background: #e01e5a; color: #fff; border-color: #e01e5a; }
  pre { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 6px 8px; white-space: pre-wrap; margin: 6px 0; font-size: 13px; }
  code { background: #f2f2f2; padding: 0 3px; border-radius: 3px; }
  form { position: fixed; bottom: 0; left: 0; right: 0; background: #fff; border-top: 1px solid #ddd; padding: 12px 16px; display: flex; gap: 8px; }
  #board { max-width: 980px; margin: 12px auto 0; padding: 0 16px; font-size: 13px; }
  #board summary { cursor: pointer; font-weight: 700; }
  form input { flex: 1; font: inherit; padding: 8px; border: 1px solid #bbb; border-radius: 6px; }
</style>
</head>
<body>
<header>
  <h1>#ops</h1>
  <label>You are
    <select id="user">
      <option value="U0REQUESTER">requester (U0REQUESTER)</option>
      <option value="U0APPROVER">approver (U0APPROVER)</option>
      <option value="U0APPROVER2">second approver (U0APPROVER2)</option>
      <option value="U0STRANGER">someone else (U0STRANGER)</option>
    </select>
  </label>
</header>
<details id="board"><summary>App Home: the board of every pair</summary><div id="board-blocks"></div></details>
<main id="channel" aria-live="polite"></main>
<form id="composer">
  <input id="command" name="command" autocomplete="off" value="/retirement setup mitxonline qa" aria-label="Message #ops">
  <button type="submit" class="primary">Send</button>
</form>
<script>
const channel = document.getElementById('channel');
const userSelect = document.getElementById('user');
let lastRendered = '';

function escapeHtml(text) {
  return text.replace(/&(?!(amp|lt|gt);)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
${MRKDWN_SCRIPT}
function renderBlocks(message) {
  if (!message.blocks) return '<div>' + mrkdwn(message.text || '') + '</div>';
  return message.blocks.map((block) => {
    if (block.type === 'section') return '<div>' + mrkdwn(block.text ? block.text.text : '') + '</div>';
    if (block.type === 'context') return '<div class="context">' + block.elements.map((e) => mrkdwn(e.text)).join(' ') + '</div>';
    if (block.type === 'actions') {
      return '<div class="actions">' + block.elements.map((button) =>
        '<button class="' + (button.style || '') + '" data-action="' + button.action_id + '" data-value="' + escapeHtml(button.value || '') +
        '" data-ts="' + message.ts + '" data-thread="' + (message.threadTs || '') + '" data-confirm="' +
        escapeHtml(button.confirm ? button.confirm.title.text : '') + '">' + escapeHtml(button.text.text) + '</button>').join('') + '</div>';
    }
    return '';
  }).join('');
}
function renderMessage(message) {
  const who = message.author ? message.author : 'retirement-bot';
  return '<div class="message' + (message.ephemeral ? ' ephemeral' : '') + '" data-ts="' + message.ts + '"><div class="who">' + who +
    (message.ephemeral ? '<span class="visibility"> · Only visible to you</span>' : '') + '</div>' + renderBlocks(message) + '</div>';
}
async function refresh() {
  const response = await fetch('/sandbox/channel?user=' + encodeURIComponent(userSelect.value));
  const state = await response.json();
  const html = state.timeline.map((item) => {
    const thread = item.replies && item.replies.length ? '<div class="thread">' + item.replies.map(renderMessage).join('') + '</div>' : '';
    return renderMessage(item).replace(/<\\/div>$/, thread + '</div>');
  }).join('');
  if (html !== lastRendered) {
    channel.innerHTML = html;
    lastRendered = html;
  }
  const board = await (await fetch('/sandbox/board?user=' + encodeURIComponent(userSelect.value))).json();
  document.getElementById('board-blocks').innerHTML = renderBlocks({ blocks: board.blocks || [] });
}
document.getElementById('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('command');
  const text = input.value.trim();
  await fetch('/sandbox/command', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, user: userSelect.value }) });
  input.value = '';
  await refresh();
});
channel.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  await fetch('/sandbox/click', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ actionId: button.dataset.action, value: button.dataset.value, messageTs: button.dataset.ts,
      threadTs: button.dataset.thread || undefined, user: userSelect.value }) });
  await refresh();
});
userSelect.addEventListener('change', refresh);
setInterval(refresh, 700);
refresh();
</script>
</body>
</html>
`;
