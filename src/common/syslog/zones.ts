/**
 * UTC offsets (minutes) of the zone names Cisco's `show-timezone` and NX-OS write after the time
 * (`UTC:`, `CET:`), where the name has one meaning. Ambiguous names are left out and read as this
 * machine's local time: IST (India, Ireland, Israel), CST (US Central, China, Cuba), BST, AST.
 */
export const ZONE_OFFSET_MINUTES: ReadonlyMap<string, number> = new Map([
  ['UTC', 0],
  ['GMT', 0],
  ['UT', 0],
  ['Z', 0],
  ['WET', 0],
  ['WEST', 60],
  ['CET', 60],
  ['CEST', 120],
  ['MET', 60],
  ['MEST', 120],
  ['EET', 120],
  ['EEST', 180],
  ['MSK', 180],
  ['EST', -300],
  ['EDT', -240],
  ['CDT', -300],
  ['MST', -420],
  ['MDT', -360],
  ['PST', -480],
  ['PDT', -420],
  ['AKST', -540],
  ['AKDT', -480],
  ['HST', -600],
  ['JST', 540],
  ['KST', 540],
  ['AEST', 600],
  ['AEDT', 660],
  ['ACST', 570],
  ['AWST', 480],
  ['NZST', 720],
  ['NZDT', 780],
]);
