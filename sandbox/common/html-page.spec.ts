import { html, renderPage, SafeHtml, table, wantsHtml } from './html-page';

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const evil = `"><script>alert('x')</script>&`;
    expect(html`<td title="${evil}">${evil}</td>`.value).toBe(
      '<td title="&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#38;">' +
        '&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#38;</td>',
    );
  });

  it('keeps SafeHtml, joins arrays, drops null, undefined and false, prints numbers', () => {
    const items = ['<a>', html`<b>ok</b>`];
    expect(html`${items}|${null}|${undefined}|${false}|${0}|${true}|${{ k: '<' }}`.value).toBe(
      '&#60;a&#62;<b>ok</b>||||0|true|{&#34;k&#34;:&#34;&#60;&#34;}',
    );
  });
});

describe('renderPage and table', () => {
  it('names the emulator and SANDBOX in the title and escapes the title', () => {
    const page = renderPage({ emulator: 'X', title: '<i>t</i>', body: new SafeHtml('<p>b</p>') });
    expect(page).toContain('<title>&#60;i&#62;t&#60;/i&#62; · X emulator · SANDBOX</title>');
    expect(page).toContain('<meta http-equiv="refresh" content="5"');
    expect(page).toContain('<p>b</p>');
    expect(
      renderPage({ emulator: 'X', title: 't', body: html``, refreshSeconds: 0 }),
    ).not.toContain('http-equiv');
  });

  it('renders rows as escaped cells, or the empty text', () => {
    expect(table(['A'], [['<x>']]).value).toContain('<td>&#60;x&#62;</td>');
    expect(table(['A'], [], 'None.').value).toContain('None.');
  });

  it('tells browsers from API clients by Accept', () => {
    expect(wantsHtml('text/html,application/xhtml+xml')).toBe(true);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
  });
});
