// Every text of the dashboard, Chinese first (technicians in China), English second.
window.I18N = {
  zh_CN: {
    title: "公共法律服务终端 · 运维中心", live: "实时", reconnecting: "连接中…", other_lang: "English",
    terminals: "终端", online: "在线", offline: "离线", with_alerts: "告警",
    col_state: "状态", col_id: "终端编号", col_site: "站点", col_last_seen: "最近联系", col_faults: "故障",
    col_tickets: "今日取号", col_outbox: "待上报", col_version: "版本", col_config: "配置版本",
    alerts: "告警", alert_offline: "离线超过 {n} 分钟", alert_paper_out: "打印机缺纸",
    alert_reader_missing: "读卡器缺失或故障", alert_printer_fault: "打印机故障", alert_config_fallback: "配置文件无法启动，已用上次可用配置", alert_store_damaged: "数据库损坏，已另存并重建", alert_speech_model_missing: "未安装语音模型，语音服务听不懂说话", no_alerts: "无告警",
    back: "← 全部终端", devices: "设备", telemetry: "运行数据", commands: "远程操作", screenshot: "最近截屏",
    no_screenshot: "暂无截屏", history: "操作记录", chart_tickets: "今日取号", chart_outbox: "待上报事件",
    chart_disk: "磁盘剩余 (MB)", chart_mem: "内存占用 (MB)",
    cmd_ping: "连通测试", cmd_self_test: "自检", cmd_print_test: "打印测试页", cmd_restart_app: "重启应用",
    cmd_get_logs: "获取日志", cmd_screenshot: "截屏", cmd_set_volume: "设置音量",
    confirm_restart: "确定重启该终端的应用吗？", volume_prompt: "音量 (0–100)：",
    result_ok: "成功", result_error: "失败", running: "执行中…",
    state_ready: "正常", state_absent: "缺失", state_fault: "故障", state_unknown: "未知",
    uptime: "运行时长", disk: "磁盘剩余", memory: "内存", speech_model: "语音模型", yes: "已安装", no: "未安装",
    reported: "配置", applied: "已应用", pending: "待应用", rejected: "被拒绝", never: "从未",
    login_title: "工作人员登录", login_name: "用户名", login_password: "密码", login_submit: "登录",
    login_wrong: "用户名或密码错误。", login_throttled: "失败次数过多，请 {n} 秒后再试。",
    login_hint: "账号由管理员用 kiosk-center users add 创建。", logout: "退出登录",
    forbidden_title: "无权访问", forbidden_text: "您的账号无权打开此页面。", forbidden_home: "首页",
    // restarts of an unattended terminal (docs/terminal.md)
    restarts: "重启记录", restart_lost: "中断", restart_watchdog: "看门狗（界面无响应）", restart_crash: "程序异常退出",
    restart_frozen_screen: "画面冻结", restart_memory: "内存超限，空闲时重启", restart_nightly: "夜间定时重启", restart_update: "软件更新", restart_command: "远程重启",
    restart_stopped: "正常停止", restart_unknown: "断电或复位",
  },
  en: {
    title: "Legal service terminals · Operations", live: "live", reconnecting: "connecting…", other_lang: "中文",
    terminals: "Terminals", online: "Online", offline: "Offline", with_alerts: "Alerts",
    col_state: "State", col_id: "Terminal", col_site: "Site", col_last_seen: "Last seen", col_faults: "Faults",
    col_tickets: "Tickets today", col_outbox: "Outbox", col_version: "Version", col_config: "Config",
    alerts: "Alerts", alert_offline: "offline for more than {n} min", alert_paper_out: "printer out of paper",
    alert_reader_missing: "card reader missing or faulty", alert_printer_fault: "printer fault", alert_config_fallback: "configuration failed; running on the last good one", alert_store_damaged: "store damaged, kept aside and rebuilt", alert_speech_model_missing: "no speech model: voice mode cannot understand speech", no_alerts: "No alerts",
    back: "← All terminals", devices: "Devices", telemetry: "Telemetry", commands: "Commands", screenshot: "Last screenshot",
    no_screenshot: "No screenshot yet", history: "Command history", chart_tickets: "Tickets today", chart_outbox: "Outbox backlog",
    chart_disk: "Disk free (MB)", chart_mem: "Memory (MB)",
    cmd_ping: "Ping", cmd_self_test: "Self-test", cmd_print_test: "Test print", cmd_restart_app: "Restart app",
    cmd_get_logs: "Fetch logs", cmd_screenshot: "Screenshot", cmd_set_volume: "Set volume",
    confirm_restart: "Restart the app on this terminal?", volume_prompt: "Volume (0–100):",
    result_ok: "OK", result_error: "failed", running: "running…",
    state_ready: "ready", state_absent: "absent", state_fault: "fault", state_unknown: "unknown",
    uptime: "Uptime", disk: "Disk free", memory: "Memory", speech_model: "Speech model", yes: "installed", no: "missing",
    reported: "Configuration", applied: "applied", pending: "pending", rejected: "rejected", never: "never",
    login_title: "Staff sign-in", login_name: "User name", login_password: "Password", login_submit: "Sign in",
    login_wrong: "Wrong user name or password.", login_throttled: "Too many failures: try again in {n} s.",
    login_hint: "Accounts are created by an administrator with kiosk-center users add.", logout: "Sign out",
    forbidden_title: "Not allowed", forbidden_text: "Your account may not open this page.", forbidden_home: "Home",
    // restarts of an unattended terminal (docs/terminal.md)
    restarts: "Restarts", restart_lost: "out of service", restart_watchdog: "watchdog (UI not responding)", restart_crash: "crashed",
    restart_frozen_screen: "frozen screen", restart_memory: "memory over its bound (restarted while idle)", restart_nightly: "nightly restart", restart_update: "software update", restart_command: "restart command",
    restart_stopped: "stopped", restart_unknown: "power cut or reset",
  },
};

// The figures page (statistics for the bureau): fleet/dashboard/static/figures.js.
Object.assign(window.I18N.zh_CN, {
  nav_figures: "统计", nav_terminals: "终端", fig_title: "服务数据统计", fig_from: "从", fig_to: "至", fig_site: "站点",
  fig_all_sites: "全部站点", fig_apply: "查询", fig_last30: "近30天", fig_this_month: "本月", fig_last_month: "上月",
  fig_download: "下载", fig_xlsx: "Excel 报表", fig_csv: "CSV", fig_html: "打印版",
  fig_tickets: "取号", fig_wait_median: "等候中位数", fig_wait_p90: "等候90%分位", fig_service_median: "办理时长中位数",
  fig_no_show_rate: "过号率", fig_satisfaction: "满意率", fig_done: "办结", fig_ratings: "评价数", fig_legal_aid: "法律援助申请",
  fig_appointments: "预约 / 到场", fig_video: "视频咨询 接通 / 呼叫", fig_video_wait: "视频等待中位数",
  fig_footfall: "走近 / 驻足 / 办理（人次）", fig_footfall_hours: "各时段人流（匿名计数）", fig_footfall_approached: "走近", fig_footfall_engaged: "驻足",
  fig_by_day: "每日取号（柱）与等候中位数（线，分钟）", fig_by_site: "各站点取号与办结", fig_sat_site: "各站点满意率与过号率",
  fig_by_service: "各项服务取号与等候中位数（分钟）", fig_site_table: "各站点汇总", fig_minutes: "分钟",
  fig_col_site: "站点", fig_col_priority: "优先", fig_col_called: "已叫号", fig_col_transfers: "转办",
  fig_none: "所选期间没有数据。", fig_loading: "加载中…", fig_terminals: "上报终端 {n} 台", fig_days: "{n} 天有数据",
  fig_wait_line: "等候中位数", fig_no_service: "（未注明服务）",
});
Object.assign(window.I18N.en, {
  nav_figures: "Figures", nav_terminals: "Terminals", fig_title: "Service figures", fig_from: "From", fig_to: "to", fig_site: "Site",
  fig_all_sites: "All sites", fig_apply: "Show", fig_last30: "Last 30 days", fig_this_month: "This month", fig_last_month: "Last month",
  fig_download: "Download", fig_xlsx: "Excel report", fig_csv: "CSV", fig_html: "Printable",
  fig_tickets: "Tickets", fig_wait_median: "Median wait", fig_wait_p90: "90th percentile wait", fig_service_median: "Median service time",
  fig_no_show_rate: "No-show rate", fig_satisfaction: "Satisfaction", fig_done: "Served", fig_ratings: "Ratings", fig_legal_aid: "Legal-aid applications",
  fig_appointments: "Appointments / checked in", fig_video: "Video calls answered / placed", fig_video_wait: "Median video wait",
  fig_footfall: "Approached / engaged / served", fig_footfall_hours: "People by hour (anonymous counts)", fig_footfall_approached: "Approached", fig_footfall_engaged: "Engaged",
  fig_by_day: "Tickets per day (bars) and median wait (line, min)", fig_by_site: "Tickets and served per site", fig_sat_site: "Satisfaction and no-shows per site",
  fig_by_service: "Tickets and median wait (min) per service", fig_site_table: "Per site", fig_minutes: "min",
  fig_col_site: "Site", fig_col_priority: "Priority", fig_col_called: "Called", fig_col_transfers: "Transfers",
  fig_none: "No figures for this period.", fig_loading: "Loading…", fig_terminals: "{n} terminals reporting", fig_days: "{n} days with figures",
  fig_wait_line: "median wait", fig_no_service: "(no service given)",
});

// Device kinds and printer paper, as a terminal reports them (the page shows an unknown
// code as it came, as text).
Object.assign(window.I18N.zh_CN, {
  dev_idcard: "身份证读卡器", dev_printer: "凭条打印机", dev_camera: "摄像头", dev_mic: "麦克风", dev_speaker: "扬声器",
  paper_ready: "纸张正常", paper_paper_low: "纸将用完", paper_paper_out: "缺纸", paper_cover_open: "机盖打开",
  paper_offline: "打印机脱机", paper_unknown: "状态未知",
});
Object.assign(window.I18N.en, {
  dev_idcard: "ID card reader", dev_printer: "Receipt printer", dev_camera: "Camera", dev_mic: "Microphone", dev_speaker: "Speaker",
  paper_ready: "paper OK", paper_paper_low: "paper low", paper_paper_out: "out of paper", paper_cover_open: "cover open",
  paper_offline: "printer offline", paper_unknown: "unknown",
});

// The versions and rollouts page: fleet/dashboard/static/rollouts.js.
Object.assign(window.I18N.zh_CN, {
  nav_rollouts: "版本与更新", ro_title: "版本与更新", ro_sites: "各站点运行版本", ro_col_site: "站点", ro_col_terminals: "终端",
  ro_col_software: "软件版本", ro_col_library: "法律法规库", ro_unreported: "未上报", ro_rollouts: "发布进度", ro_none: "还没有发布过版本。",
  ro_version: "版本 {v}", ro_state_running: "进行中", ro_state_done: "已完成", ro_state_halted: "已暂停",
  ro_sent: "已发送 {s} / {n} 台", ro_threshold: "失败率达到 {p}% 即暂停", ro_halt_reason: "暂停原因：{r}",
  ro_wave: "第 {i} 波（{p}%）", ro_wave_size: "{n} 台", ro_wave_sent: "已发出", ro_wave_waiting: "未发出",
  ro_cat_confirmed: "已确认", ro_cat_updated: "已更新待确认", ro_cat_rolled_back: "已回退", ro_cat_failed: "失败", ro_cat_pending: "等待中",
  ro_failed: "失败与回退的终端", ro_col_terminal: "终端", ro_col_state: "状态", ro_col_reason: "原因", ro_updated: "更新于 {t}",
  ro_st_refused: "拒绝安装", ro_st_rolled_back: "健康检查未通过，已回退",
  ro_halt_by_hand: "技术人员手动暂停", ro_halt_failures: "已发送 {s} 台中 {f} 台失败（{r}%，达到 {p}% 阈值）",
});
Object.assign(window.I18N.en, {
  nav_rollouts: "Versions & updates", ro_title: "Versions and updates", ro_sites: "Versions running per site", ro_col_site: "Site",
  ro_col_terminals: "Terminals", ro_col_software: "Software", ro_col_library: "Law library", ro_unreported: "not reported",
  ro_rollouts: "Rollouts", ro_none: "No release has been rolled out yet.",
  ro_version: "Version {v}", ro_state_running: "running", ro_state_done: "done", ro_state_halted: "halted",
  ro_sent: "sent to {s} of {n}", ro_threshold: "halts at {p}% failures", ro_halt_reason: "Halted: {r}",
  ro_wave: "Wave {i} ({p}%)", ro_wave_size: "{n} terminals", ro_wave_sent: "sent", ro_wave_waiting: "not sent",
  ro_cat_confirmed: "confirmed", ro_cat_updated: "updated, awaiting health check", ro_cat_rolled_back: "rolled back", ro_cat_failed: "failed",
  ro_cat_pending: "pending", ro_failed: "Terminals that failed or rolled back", ro_col_terminal: "Terminal", ro_col_state: "State",
  ro_col_reason: "Reason", ro_updated: "updated {t}", ro_st_refused: "refused to install", ro_st_rolled_back: "failed its health check, rolled back",
  ro_halt_by_hand: "halted by a technician", ro_halt_failures: "{f} of {s} sent failed ({r}%, threshold {p}%)",
});

// The bureau's publicity page: fleet/dashboard/static/publicity.js.
Object.assign(window.I18N.zh_CN, {
  pb_title: "法治宣传", pb_add: "添加宣传内容", pb_items: "待发布的宣传内容（按播放顺序）", pb_preview: "预览：某站点某时刻播放什么",
  pb_publish: "发布到终端", pb_kind: "类型", pb_kind_image: "图片", pb_kind_text: "文字", pb_kind_video: "短视频",
  pb_f_title: "标题", pb_f_seconds: "每次显示（秒）", pb_f_text: "文字内容（大字显示，可朗读）", pb_f_file: "文件",
  pb_f_from: "开始日期", pb_f_to: "结束日期", pb_f_hours: "时段（北京时间，时）", pb_f_days: "星期", pb_f_sites: "站点（不选即全部站点）",
  pb_f_submit: "添加", pb_p_site: "站点", pb_p_at: "时刻（北京时间）", pb_p_go: "预览", pb_publish_go: "发布为新的宣传内容包",
  pb_day_1: "周一", pb_day_2: "周二", pb_day_3: "周三", pb_day_4: "周四", pb_day_5: "周五", pb_day_6: "周六", pb_day_7: "周日",
  pb_every_day: "每天", pb_all_sites: "全部站点", pb_when: "{from} 至 {to} · {days} · {h0}:00–{h1}:00 · 每次 {s} 秒 · {sites}",
  pb_delete: "删除", pb_no_items: "还没有宣传内容。", pb_added: "已添加。", pb_error: "未成功：{e}",
  pb_due: "该时刻播放 {n} 项：", pb_nothing_due: "该时刻该站点没有要播放的内容。",
  pb_published: "已发布：第 {n} 版（{v}）。终端空闲时自动更新。", pb_package: "第 {n} 版 · {v}", pb_none_published: "还没有发布过。",
  pb_not_delegated: "中心尚不能签发宣传内容：请技术人员先运行 kiosk-center content delegate publicity。",
  pb_edit: "修改排期", pb_save: "保存排期", pb_saved: "排期已保存。", pb_editing: "修改排期",
  fig_publicity: "法治宣传播放次数（按内容、站点）", fig_col_item: "宣传内容", fig_col_plays: "播放次数", fig_no_plays: "期间没有播放记录。",
});
Object.assign(window.I18N.en, {
  pb_title: "Publicity", pb_add: "Add an item", pb_items: "Items to publish (in playing order)", pb_preview: "Preview: what a site plays at a moment",
  pb_publish: "Publish to the terminals", pb_kind: "Kind", pb_kind_image: "Picture", pb_kind_text: "Text", pb_kind_video: "Short video",
  pb_f_title: "Title", pb_f_seconds: "Seconds shown", pb_f_text: "Text (large type, can be read aloud)", pb_f_file: "File",
  pb_f_from: "From", pb_f_to: "To", pb_f_hours: "Hours (China time)", pb_f_days: "Weekdays", pb_f_sites: "Sites (none ticked: every site)",
  pb_f_submit: "Add", pb_p_site: "Site", pb_p_at: "Moment (China time)", pb_p_go: "Preview", pb_publish_go: "Publish as a new package",
  pb_day_1: "Mon", pb_day_2: "Tue", pb_day_3: "Wed", pb_day_4: "Thu", pb_day_5: "Fri", pb_day_6: "Sat", pb_day_7: "Sun",
  pb_every_day: "every day", pb_all_sites: "every site", pb_when: "{from} to {to} · {days} · {h0}:00–{h1}:00 · {s} s each · {sites}",
  pb_delete: "Delete", pb_no_items: "No item yet.", pb_added: "Added.", pb_error: "Not done: {e}",
  pb_due: "{n} item(s) play then:", pb_nothing_due: "Nothing plays at that site then.",
  pb_published: "Published: package {n} ({v}). Terminals take it when idle.", pb_package: "Package {n} · {v}", pb_none_published: "Nothing published yet.",
  pb_not_delegated: "The centre cannot sign publicity yet: a technician runs kiosk-center content delegate publicity first.",
  pb_edit: "Reschedule", pb_save: "Save the schedule", pb_saved: "Schedule saved.", pb_editing: "Change the schedule",
  fig_publicity: "Publicity showings per item and site", fig_col_item: "Item", fig_col_plays: "Showings", fig_no_plays: "Nothing was shown in this period.",
});
