/**
 * The sandbox page's mrkdwn renderer, as browser JavaScript (the page embeds this text; tests
 * evaluate the same text). It renders what Slack renders and nothing kinder
 * (https://api.slack.com/reference/surfaces/formatting):
 * - only a raw `<…>` is a control sequence: `<url|label>` and `<url>` are links, `<@U…>` a user,
 *   `<!subteam^…>` a group, `<!date^…|fallback>` a date; an escaped `&lt;url|label&gt;` is text
 *   and shows as `<url|label>`, which is how a wrongly escaped link looks in real Slack;
 * - ```code blocks``` and `code` are verbatim; `*bold*`, `_italic_` and `~strike~` apply only
 *   outside code and outside control sequences, and only at word boundaries;
 * - `:emoji:` names the bot uses become their characters.
 */
export const MRKDWN_SCRIPT = String.raw`
function mrkdwn(source) {
  var EMOJI = { white_check_mark: '✅', heavy_check_mark: '✔️', x: '❌', hourglass_flowing_sand: '⏳',
    arrows_counterclockwise: '🔄', raised_hand: '✋', no_entry_sign: '🚫', no_entry: '⛔', alarm_clock: '⏰',
    white_circle: '⚪', fast_forward: '⏩', repeat: '🔁', pencil2: '✏️', clipboard: '📋',
    large_green_circle: '🟢', large_yellow_circle: '🟡', red_circle: '🔴', warning: '⚠️', heavy_minus_sign: '➖' };
  var kept = [];
  function keep(html) { kept.push(html); return '\u0000' + (kept.length - 1) + '\u0000'; }
  function text(raw) {
    return raw.replace(/&(?!(amp|lt|gt);)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function decode(raw) { return raw.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'); }
  function control(inner) {
    var bar = inner.indexOf('|');
    var target = bar < 0 ? inner : inner.slice(0, bar);
    var label = bar < 0 ? '' : inner.slice(bar + 1);
    if (target.charAt(0) === '@') return '<b class="mention">@' + text(target.slice(1)) + '</b>';
    if (target.charAt(0) === '#') return '<b class="channel">#' + text(label || target.slice(1)) + '</b>';
    if (target.indexOf('!subteam^') === 0) return '<b class="mention">@group-' + text(target.slice(9)) + '</b>';
    if (target.indexOf('!date^') === 0) {
      var when = new Date(decode(label));
      return text(isNaN(when.getTime()) ? decode(label) : when.toLocaleString());
    }
    if (target.charAt(0) === '!') return '<b class="mention">@' + text(target.slice(1)) + '</b>';
    if (/^(https?|mailto):/.test(target)) {
      var href = decode(target).replace(/"/g, '%22');
      return '<a href="' + href + '" target="_blank" rel="noreferrer">' + text(label || target) + '</a>';
    }
    return text('<' + inner + '>');
  }
  var html = source
    .replace(/\u0000/g, '')
    .replace(/${'```'}([\s\S]*?)${'```'}/g, function (_, code) { return keep('<pre>' + text(code) + '</pre>'); })
    .replace(/<([^<>\n]*)>/g, function (_, inner) { return keep(control(inner)); })
    .replace(/\x60([^\x60\n]+)\x60/g, function (_, code) { return keep('<code>' + text(code) + '</code>'); });
  html = text(html)
    .replace(/(^|[\s(])\*(?=\S)([^*\n]*?\S)\*(?=$|[\s.,;:!?)])/gm, '$1<b>$2</b>')
    .replace(/(^|[\s(])_(?=\S)([^_\n]*?\S)_(?=$|[\s.,;:!?)])/gm, '$1<i>$2</i>')
    .replace(/(^|[\s(])~(?=\S)([^~\n]*?\S)~(?=$|[\s.,;:!?)])/gm, '$1<s>$2</s>')
    .replace(/:([a-z0-9_+-]+):/g, function (all, name) { return EMOJI[name] || all; })
    .replace(/\n/g, '<br>');
  // A kept piece may hold others (a link inside a code span): restore until none is left.
  function restore(piece) {
    return piece.replace(/\u0000(\d+)\u0000/g, function (_, index) { return restore(kept[Number(index)]); });
  }
  return restore(html);
}
`;
