/* Go's time.Time.Format(time.RFC3339Nano) for time.Unix(sec, nsec) in the
 * Local zone, with Go's calendar arithmetic (time.go: absSeconds, days,
 * split, date, clock) so that any 64-bit wall reading formats as Go's does,
 * overflow wrap-around included. The zone offset comes from the C library's
 * view of the local zone (TZ), as Go's does from the same tzdata. */
#include <time.h>

#include "order.h"

#define SECONDS_PER_DAY 86400
#define ABSOLUTE_YEARS UINT64_C(292277022400)
#define MARCH_THRU_DECEMBER 306
#define UNIX_TO_ABSOLUTE INT64_C(9223372028741760000) /* unixToInternal + internalToAbsolute */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The local zone's UTC offset (seconds) at Unix time sec; 0 when unknown. */
static int64_t local_offset(int64_t sec)
{
    time_t t = (time_t)sec;
    if ((int64_t)t != sec) return 0;
    struct tm tm;
    if (!localtime_r(&t, &tm)) return 0;
    int64_t local = days_from_civil((int64_t)tm.tm_year + 1900, (int64_t)tm.tm_mon + 1, tm.tm_mday) * SECONDS_PER_DAY +
                    (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
    return local - sec;
}

/* Go's appendInt(b, x, width). */
static size_t put_int(char *o, int64_t x, int width)
{
    size_t n = 0;
    uint64_t u = (uint64_t)x;
    if (x < 0) {
        o[n++] = '-';
        u = (uint64_t)0 - (uint64_t)x;
    }
    char digits[20];
    int k = 0;
    do {
        digits[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    for (int pad = width - k; pad > 0; pad--) o[n++] = '0';
    while (k) o[n++] = digits[--k];
    return n;
}

size_t ord_format_wall(char *dst, size_t cap, int64_t sec, int64_t nsec)
{
    char buf[96];
    size_t n = 0;
    int64_t offset = local_offset(sec);
    uint64_t abs = (uint64_t)sec + (uint64_t)offset + (uint64_t)UNIX_TO_ABSOLUTE;
    /* days -> century, year of century, day of the March-based year */
    uint64_t days = abs / SECONDS_PER_DAY;
    uint64_t d = 4 * days + 3;
    uint64_t century = d / 146097;
    uint32_t cd = (uint32_t)(d % 146097) | 3;
    uint64_t prod = (uint64_t)2939745 * cd;
    uint32_t cyear = (uint32_t)(prod >> 32);
    uint32_t ayday = (uint32_t)prod / 2939745 / 4;
    uint32_t md = 2141 * ayday + 197913;
    int64_t amonth = md >> 16, mday = 1 + (md & 0xFFFF) / 2141;
    int64_t jan_feb = ayday >= MARCH_THRU_DECEMBER;
    int64_t year = (int64_t)(century * 100 - ABSOLUTE_YEARS) + (int64_t)cyear + jan_feb;
    int64_t month = amonth - jan_feb * 12;
    uint64_t s = abs % SECONDS_PER_DAY;
    n += put_int(buf + n, year, 4);
    buf[n++] = '-';
    n += put_int(buf + n, month, 2);
    buf[n++] = '-';
    n += put_int(buf + n, mday, 2);
    buf[n++] = 'T';
    n += put_int(buf + n, (int64_t)(s / 3600), 2);
    buf[n++] = ':';
    n += put_int(buf + n, (int64_t)(s % 3600 / 60), 2);
    buf[n++] = ':';
    n += put_int(buf + n, (int64_t)(s % 60), 2);
    if (nsec != 0) { /* ".999999999": trailing zeros trimmed */
        buf[n++] = '.';
        n += put_int(buf + n, nsec, 9);
        while (buf[n - 1] == '0') n--;
    }
    if (offset == 0) {
        buf[n++] = 'Z';
    } else {
        int64_t zone = offset / 60;
        if (zone < 0) {
            buf[n++] = '-';
            zone = -zone;
        } else {
            buf[n++] = '+';
        }
        n += put_int(buf + n, zone / 60, 2);
        buf[n++] = ':';
        n += put_int(buf + n, zone % 60, 2);
    }
    if (cap) {
        size_t k = n < cap ? n : cap - 1;
        memcpy(dst, buf, k);
        dst[k] = '\0';
    }
    return n;
}
