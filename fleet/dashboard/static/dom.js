// Building pages from data without HTML: every value a terminal or a person gave becomes a
// text node or one attribute set by name, never markup parsed by the browser. Used by the
// dashboard, the figures and the intake pages (markup built from data is how a terminal's
// telemetry could run script in a technician's browser).
(function () {
  "use strict";
  const SVG_NS = "http://www.w3.org/2000/svg";
  // Attributes that load or navigate: only a path or a fragment on this site.
  const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href"]);

  function build(node, attrs, kids) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (/^on/i.test(name) || name === "style") throw new Error("dom: no " + name + " attribute (CSP)");
      const text = value === true ? "" : String(value);
      if (URL_ATTRS.has(name) && !/^[/#?]/.test(text)) throw new Error("dom: " + name + " must stay on this site");
      node.setAttribute(name, text);
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid == null || kid === false) continue;
      node.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return node;
  }

  window.dom = {
    /** An HTML element: dom.el("td", {class: "x"}, "text", child, [more]). */
    el: (tag, attrs, ...kids) => build(document.createElement(tag), attrs, kids),
    /** An SVG element, the same way. */
    svg: (tag, attrs, ...kids) => build(document.createElementNS(SVG_NS, tag), attrs, kids),
    /** Replace every child of ``node`` with ``kids``. */
    fill: (node, ...kids) => { node.replaceChildren(); return build(node, null, kids); },
  };
})();
