package calendar

import (
	"testing"
	"time"
)

func TestCivilAgainstTime(t *testing.T) {
	for z := int64(-800_000); z <= 800_000; z += 7 {
		tm := time.Unix(z*86400, 0).UTC()
		y, m, d := CivilFromDays(z)
		if y != int64(tm.Year()) || m != int(tm.Month()) || d != tm.Day() {
			t.Fatalf("CivilFromDays(%d) = %d-%d-%d, want %s", z, y, m, d, tm.Format("2006-01-02"))
		}
		if back := DaysFromCivil(y, m, d); back != z {
			t.Fatalf("DaysFromCivil(%d-%d-%d) = %d, want %d", y, m, d, back, z)
		}
	}
	if got := string(AppendPadded([]byte("x"), 7, 3)); got != "x007" {
		t.Fatalf("AppendPadded = %q", got)
	}
	if got := string(AppendPadded(nil, 12345, 2)); got != "12345" {
		t.Fatalf("AppendPadded = %q", got)
	}
}
