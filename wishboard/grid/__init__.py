"""Grid contacts (网格联系人): the people of a community who answer for a grid place (楼栋长,
院落长, 网格员), the contact card every visitor can read (phones masked but for those who
may call), the needs of their places routed to them, and where a resident lives (住在哪个
网格), which decides whose number they see in full."""
