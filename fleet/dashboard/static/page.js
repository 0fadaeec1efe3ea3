// A small page's texts from i18n.js (Chinese first): every [data-t] element, the title
// from the h2, and the language button.
(function () {
  "use strict";
  let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("lang") || "zh_CN";
  const t = (k) => (I18N[lang] && I18N[lang][k]) || I18N.zh_CN[k] || k;
  function chrome() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    const h2 = document.querySelector("h2[data-t]");
    if (h2) document.title = t(h2.dataset.t);
    document.getElementById("lang").textContent = t("other_lang");
  }
  document.getElementById("lang").addEventListener("click", () => { lang = lang === "en" ? "zh_CN" : "en"; localStorage.setItem("lang", lang); chrome(); });
  chrome();
})();
