/*
 * mc146818rtc.h: the PC's real-time clock and CMOS memory ("mc146818rtc").
 *
 * The board writes the configuration bytes firmware reads (memory size,
 * equipment) with rtc_set_cmos() after realize.  The NMI-disable bit of
 * port 0x70 is kept here for the NMI path (rtc_nmi_disabled()).  BQL.
 */
#ifndef HW_TIMER_MC146818RTC_H
#define HW_TIMER_MC146818RTC_H

typedef struct RTCState RTCState;

void rtc_set_cmos(RTCState *s, int index, uint8_t val);
uint8_t rtc_get_cmos(RTCState *s, int index);
bool rtc_nmi_disabled(RTCState *s);

#endif
