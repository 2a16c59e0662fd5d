#!/usr/bin/perl
# The ORIGINAL design, rewritten for `npm run bench:snmp` from the original post's description of
# eventsentry_enviro_snmp_pass.pl: snmpd runs this script once per request through its
#   pass .1.3.6.1.4.1.21600.1.5.1.1.1 /usr/bin/perl /path/to/snmp-pass.pl DIR
# line; a poller (the original's Python script, here bench/snmp-bench.ts) writes the three current
# values, one integer per file, to DIR/temperature, DIR/humidity and DIR/light (the original used
# files in /tmp). snmpd calls `snmp-pass.pl DIR -g OID` (GET) or `snmp-pass.pl DIR -n OID`
# (GETNEXT) and expects three lines, OID, type, value, or nothing for "no such object / end".
#
# The 3x3 table under .1.3.6.1.4.1.21600.1.5.1.1.1: column .1 index (integer), .2 name (string),
# .3 value (integer); rows 1 Temperature, 2 Humidity, 3 Light.
use strict;
use warnings;

my $BASE = '.1.3.6.1.4.1.21600.1.5.1.1.1';
my ($dir, $mode, $oid) = @ARGV;
exit 0 unless defined $dir && defined $mode && defined $oid;
$oid = ".$oid" unless $oid =~ /^\./;

my @names = ('Temperature', 'Humidity', 'Light');
my @files = ('temperature', 'humidity', 'light');

sub value_of {
    my ($row) = @_;
    my $value = 0;
    if (open(my $fh, '<', "$dir/$files[$row - 1]")) {
        my $line = <$fh>;
        close($fh);
        $value = int($1) if defined $line && $line =~ /(-?\d+(?:\.\d+)?)/;
    }
    return $value;
}

sub answer {
    my ($column, $row) = @_;
    print "$BASE.$column.$row\n";
    if ($column == 1) { print "integer\n$row\n"; }
    elsif ($column == 2) { print "string\n$names[$row - 1]\n"; }
    else { print "integer\n" . value_of($row) . "\n"; }
    exit 0;
}

# The instances in walk order: (1,1) (1,2) (1,3) (2,1) … (3,3).
my @instances;
for my $column (1 .. 3) { for my $row (1 .. 3) { push @instances, [$column, $row]; } }

# Compares two dotted OIDs arc by arc: <0, 0, >0.
sub compare {
    my @a = grep { length } split /\./, $_[0];
    my @b = grep { length } split /\./, $_[1];
    for (my $i = 0; $i < @a && $i < @b; $i++) {
        return $a[$i] <=> $b[$i] if $a[$i] != $b[$i];
    }
    return @a <=> @b;
}

if ($mode eq '-g') {
    for my $instance (@instances) {
        answer(@$instance) if compare($oid, "$BASE.$instance->[0].$instance->[1]") == 0;
    }
} elsif ($mode eq '-n') {
    for my $instance (@instances) {
        answer(@$instance) if compare($oid, "$BASE.$instance->[0].$instance->[1]") < 0;
    }
}
# -s (SET) and anything not found: no output, snmpd answers notWritable / noSuchName / next subtree.
exit 0;
