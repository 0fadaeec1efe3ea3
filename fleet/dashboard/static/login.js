// The centre's sign-in page: texts from i18n.js (Chinese first), the form posts to /login.
(function () {
  "use strict";
  const q = new URLSearchParams(location.search);
  let lang = q.get("lang") || localStorage.getItem("lang") || "zh_CN";
  const t = (k, vars) => {
    let s = (I18N[lang] && I18N[lang][k]) || I18N.zh_CN[k] || k;
    for (const [n, v] of Object.entries(vars || {})) s = s.replace("{" + n + "}", v);
    return s;
  };
  // The page we came from, with its #fragment (the browser keeps it across the redirect).
  document.getElementById("next").value = (q.get("next") || "") + (q.get("next") ? location.hash : "");
  function chrome() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.title = t("login_title");
    document.getElementById("title").textContent = t("title");
    document.getElementById("heading").textContent = t("login_title");
    document.getElementById("go").textContent = t("login_submit");
    document.getElementById("lang").textContent = t("other_lang");
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    const err = q.get("error");
    const el = document.getElementById("error");
    el.hidden = !err;
    if (err) el.textContent = t(err === "throttled" ? "login_throttled" : "login_wrong", { n: q.get("retry") || "60" });
  }
  document.getElementById("lang").addEventListener("click", () => { lang = lang === "en" ? "zh_CN" : "en"; localStorage.setItem("lang", lang); chrome(); });
  chrome();
})();
