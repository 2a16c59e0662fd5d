/** The agent's objects in mibs/ENVIROWATCH-MIB.txt; keep in step with it. */
import { parseOid } from '../../snmp/oid.js';

/** enterprises.21600 (the original's number) . 1.5: this product. */
export const ENVIROWATCH_OID = parseOid('1.3.6.1.4.1.21600.1.5');
/** sensorEntry: sensorTable.1 under ENVIROWATCH_OID.1 (sensorObjects). */
export const SENSOR_ENTRY_OID = parseOid('1.3.6.1.4.1.21600.1.5.1.1.1');
