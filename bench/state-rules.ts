/** The rules of the measurements: an anomaly rule (VPN user → address) and a timer (RDP logon → logoff), as in config/rules.example.yaml, with room for 10M keys. */
export const STATE_RULE_LINES = [
  `  - { id: vpn-new-address, kind: anomaly, match: { app: "^openvpn$", regex: "user '(?<user>[^']+)' address '(?<ip>[^':]+):\\\\d+' - connected" }, key: "\${user}", value: "\${ip}", learning: 7d, maxKeys: 10000000 }`,
  `  - { id: rdp-session-too-long, kind: timer, start: { regex: "4624: An account was successfully logged on\\\\..*Logon Type:\\\\s*10\\\\b.*Logon ID:\\\\s*(?<logonId>0x[0-9a-fA-F]+)" }, end: { regex: "(4634|4647): .*Logon ID:\\\\s*(?<logonId>0x[0-9a-fA-F]+)" }, key: "\${host}/\${logonId}", timeout: 8h }`,
];
