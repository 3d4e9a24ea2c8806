import { describe, expect, it } from 'vitest';
import { MRKDWN_SCRIPT } from '../../../src/sandbox/sandbox-mrkdwn.js';

/** The very text the sandbox page runs, evaluated here as the browser does. */
const mrkdwn = new Function(`${MRKDWN_SCRIPT}; return mrkdwn;`)() as (text: string) => string;

describe('the sandbox page renders mrkdwn as Slack does', () => {
  it('shows a link as a link, and an escaped link as the text Slack would show', () => {
    expect(mrkdwn('Build <https://ci.example/builds/3|#3> succeeded.')).toBe(
      'Build <a href="https://ci.example/builds/3" target="_blank" rel="noreferrer">#3</a> succeeded.',
    );
    expect(mrkdwn('Build &lt;https://ci.example/builds/3|#3&gt; succeeded.')).toBe(
      'Build &lt;https://ci.example/builds/3|#3&gt; succeeded.',
    );
    expect(mrkdwn('<https://ci.example/a?b=1&amp;c=2|a &amp; b>')).toBe(
      '<a href="https://ci.example/a?b=1&c=2" target="_blank" rel="noreferrer">a &amp; b</a>',
    );
  });

  it('shows mentions, bold, italic, strike and code, but not inside code or links', () => {
    expect(mrkdwn('<@U0ALICE> *approved* _the_ ~old~ `a_b*c*`')).toBe(
      '<b class="mention">@U0ALICE</b> <b>approved</b> <i>the</i> <s>old</s> <code>a_b*c*</code>',
    );
    expect(mrkdwn('<https://x.example/snake_case_path|snake_case_label>')).toContain('>snake_case_label</a>');
    expect(mrkdwn('```+ a *b*\n- <c>```')).toBe('<pre>+ a *b*\n- <c></pre>'.replace('<c>', '&lt;c&gt;'));
    expect(mrkdwn('a*b*c 2*3*4')).toBe('a*b*c 2*3*4');
    expect(mrkdwn('`see <https://x.example|x> and <@U1>`')).toBe(
      '<code>see <a href="https://x.example" target="_blank" rel="noreferrer">x</a> and <b class="mention">@U1</b></code>',
    );
  });

  it('never lets message text become markup', () => {
    expect(mrkdwn('<script>alert(1)</script>')).not.toContain('<script>');
    expect(mrkdwn('<javascript:alert(1)|click>')).not.toContain('<a ');
    expect(mrkdwn(':white_check_mark: done :unknown_emoji:')).toBe('✅ done :unknown_emoji:');
  });
});
