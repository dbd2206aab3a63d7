/* nianbao: the language switch. Runs in <head> so the page never flashes in
   the other language. Chinese is the default; the choice is remembered, and
   ?lang=en (or ?lang=zh) in a link opens a page in that language. */
(function () {
  "use strict";
  var KEY = "nianbao-lang";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  // Labels printed once, in Chinese (<span lang="zh">, in charts <tspan>): their English is in
  // static/en.js, one dictionary for the whole site.
  var labels = null;
  function translate(lang) {
    if (!document.body) { return; }
    var words = window.nianbaoEN || {};
    if (labels === null) {
      labels = Array.prototype.filter.call(document.querySelectorAll('span[lang="zh"], tspan[lang="zh"]'), function (label) {
        label.zh = label.textContent;
        return Object.prototype.hasOwnProperty.call(words, label.zh);
      });
    }
    var english = lang === "en";
    labels.forEach(function (label) {
      label.textContent = english ? words[label.zh] : label.zh;
      label.setAttribute("lang", english ? "en" : "zh");
    });
    // Where markup cannot go (a select's options, a field's placeholder),
    // the English is in the element's own data-en / data-placeholder-en.
    Array.prototype.forEach.call(document.querySelectorAll("[data-en]"), function (node) {
      if (node.dataset.zh === undefined) { node.dataset.zh = node.textContent; }
      node.textContent = english ? node.dataset.en : node.dataset.zh;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-placeholder-en]"), function (node) {
      if (node.dataset.placeholderZh === undefined) { node.dataset.placeholderZh = node.placeholder; }
      node.placeholder = english ? node.dataset.placeholderEn : node.dataset.placeholderZh;
    });
  }
  function apply(lang) {
    root.setAttribute("data-ui", lang);
    root.setAttribute("lang", lang === "en" ? "en" : "zh-CN");
    translate(lang);
  }
  var asked = new URLSearchParams(window.location.search).get("lang");
  var lang = asked === "en" || asked === "zh" ? asked : stored() || "zh";
  apply(lang);
  window.nianbaoLang = function () { return root.getAttribute("data-ui") || "zh"; };
  // For what a page's script adds later (options with data-en): named in the reader's language.
  window.nianbaoTranslate = function () { translate(window.nianbaoLang()); };
  document.addEventListener("DOMContentLoaded", function () {
    if (window.nianbaoLang() === "en") { translate("en"); }
    var button = document.getElementById("lang-switch");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = window.nianbaoLang() === "en" ? "zh" : "en";
      apply(next);
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* private mode: this page only */ }
      document.dispatchEvent(new CustomEvent("nianbao:lang", { detail: next }));
    });
  });
}());
