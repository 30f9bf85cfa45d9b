import t from 'tap'
import { goTimeLayout } from '../../lib/logging/go-time.js'

// 2024-01-02 03:04:05.060, a Tuesday, in the process's local zone (as Go formats time.Now())
const date = new Date(2024, 0, 2, 15, 4, 5, 60)

t.test("KrakenD's layouts read as Go reads them", async (t) => {
  t.equal(goTimeLayout('2006/01/02 - 15:04:05.000')(date), '2024/01/02 - 15:04:05.060', "the default format's")
  t.equal(goTimeLayout('Jan _2 15:04:05')(new Date(2024, 0, 2, 3, 4, 5)), 'Jan  2 03:04:05', "syslog's time.Stamp: the day padded with a space")
  t.equal(goTimeLayout('Monday, January 2 2006 3:4:5 PM')(date), 'Tuesday, January 2 2024 3:4:5 PM')
  t.equal(goTimeLayout('Mon Jan 06 03pm 002 __2')(date), 'Tue Jan 24 03pm 002   2', 'short names, two-digit year, 12-hour clock, day of the year')
})

t.test('fractions of a second: fixed with 0s, trimmed with 9s, millisecond precision', async (t) => {
  t.equal(goTimeLayout('05.000000')(date), '05.060000')
  t.equal(goTimeLayout('05.999')(date), '05.06', 'trailing zeros dropped')
  t.equal(goTimeLayout('05.999')(new Date(2024, 0, 2, 15, 4, 5, 0)), '05', 'and the separator with them')
  t.equal(goTimeLayout('05,00')(date), '05,06', 'a comma separates too')
  t.equal(goTimeLayout('v1.0')(date), 'v1.0', 'not a fraction when digits follow')
})

t.test('zones: offsets as the layout writes them, Z for UTC where asked', async (t) => {
  const minutes = -date.getTimezoneOffset()
  const sign = minutes < 0 ? '-' : '+'
  const hh = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')
  const mm = String(Math.abs(minutes) % 60).padStart(2, '0')
  t.equal(goTimeLayout('-07:00')(date), `${sign}${hh}:${mm}`)
  t.equal(goTimeLayout('-0700')(date), `${sign}${hh}${mm}`)
  t.equal(goTimeLayout('Z07:00')(date), minutes === 0 ? 'Z' : `${sign}${hh}:${mm}`)
})

t.test('text that is no layout element is written as it is', async (t) => {
  t.equal(goTimeLayout('[at] 15h')(date), '[at] 15h')
  t.equal(goTimeLayout('_2006')(date), '_2024', '_2006 is the year after an underscore')
})
