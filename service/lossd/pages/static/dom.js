// Small DOM helpers the pages' scripts share, loaded before them: `lossdDom.$(id)` and
// `lossdDom.el(tag, attrs, text)`, an element with its attributes and text.
window.lossdDom = {
  $: function (id) { return document.getElementById(id); },
  el: function (tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  },
};
