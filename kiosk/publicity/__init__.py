"""法治宣传 on the attract screen: the bureau's publicity slides (images, large-type texts,
short videos), scheduled by date, weekday, hour and site, kept offline on the terminal
as a signed content package and played while nobody is using the kiosk
(docs/publicity.md)."""
