import type { AgentSnapshot, StatusChange } from '../agent.js';
import type { Quantity } from '../readings/quantities.js';
import type { Thresholds } from '../readings/thresholds.js';
import type { UnitSystem } from '../readings/units.js';
import { NotificationSender, type NotificationCounters, type NotificationSenderOptions } from '../../snmp/notification/sender.js';
import { statusChangeVarbinds } from './status-change-varbinds.js';

export interface StatusChangeNotifierOptions extends NotificationSenderOptions {
  readonly units: UnitSystem;
  readonly thresholds: Partial<Record<Quantity, Thresholds>>;
}

/** The agent's `sensorStatusChange` notifications: each status change, as the table shows it, to every receiver. */
export class StatusChangeNotifier {
  private readonly sender: NotificationSender;
  private readonly options: StatusChangeNotifierOptions;

  constructor(options: StatusChangeNotifierOptions) {
    this.options = options;
    this.sender = new NotificationSender(options);
  }

  get counters(): Readonly<NotificationCounters> {
    return this.sender.counters;
  }

  /** Returns at once (the reading loop calls it from its `statusChange` handler); never throws. */
  notify(change: StatusChange, snapshot: AgentSnapshot): void {
    if (this.options.receivers.length === 0) return;
    let varbinds;
    try {
      varbinds = statusChangeVarbinds({
        change,
        snapshot,
        units: this.options.units,
        thresholds: this.options.thresholds,
        sysUpTime: this.options.sysUpTime(),
      });
    } catch (error) {
      // A bug in building the row; the agent must not notice.
      this.sender.counters.failed += this.options.receivers.length;
      this.options.logger.warn('SNMP notification could not be built (bug); not sent', { quantity: change.quantity, error });
      return;
    }
    void this.sender.send(varbinds);
  }

  close(): Promise<void> {
    return this.sender.close();
  }
}
