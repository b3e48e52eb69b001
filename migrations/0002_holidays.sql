-- Public holidays for working-day arithmetic (src/domain/workdays.c): deadlines of feedback and
-- announcements are counted in working days, which skip Saturdays, Sundays and the days in
-- this table (domain.md, "Feedback", "Announcements"). Days are local day numbers: days since
-- 1970-01-01 in +07:00, as everywhere else (src/domain/ltime.c).
--
-- What is shipped: the days off of civil servants (cán bộ, công chức, viên chức) in 2023-2026
-- under Labour Code 2019, Article 112 (Tết Dương lịch 1 day, Tết Nguyên đán 5 days, Giỗ Tổ
-- Hùng Vương 10/3 lunar, 30/4, 1/5, Quốc khánh 2/9 plus one adjacent day; a holiday on a
-- weekend gives a compensatory weekday off, "nghỉ bù"), as the Government announced them for
-- each year, including the announced day swaps ("hoán đổi ngày làm việc").
--
-- Only weekdays are listed. A holiday that falls on a Saturday or Sunday changes nothing here
-- (weekends never count as working days), so it has no row; its compensatory weekday does.
--
-- A swap makes a weekday a day off and a Saturday a working day ("làm bù"). This table can
-- only hold days off, so the working Saturdays are ignored and counted as non-working like every
-- weekend: 2024-05-04, 2025-04-26, 2026-01-10, 2026-08-22. A deadline that runs across one of
-- them therefore ends one working day later than the official calendar.
--
-- Not included: Ngày Văn hóa Việt Nam (24/11). Politburo Resolution 80-NQ/TW (January 2026)
-- makes it a paid day off, but it needs an amendment of Article 112 that had not been passed
-- when this was written; the operator adds it over the API once it is law (source 'operator').
--
-- Sources, per year (Government Office and ministry announcements as reported by the press):
--   2023: Tết 20/1-26/1 and Quốc khánh 1/9-4/9 (Government Office, 1 Dec 2022); 1/1 on a
--         Sunday, nghỉ bù 2/1; Giỗ Tổ (Sat 29/4) and 30/4 (Sun) gave nghỉ bù 2/5 and 3/5.
--   2024: Tết 8/2-14/2 and Quốc khánh 31/8-3/9 (Prime Minister, Nov 2023); 30/4: off 27/4-1/5,
--         29/4 swapped with Saturday 4/5. Giỗ Tổ on Thursday 18/4 and 1/1 on a Monday: the
--         statutory rule alone, nothing else was announced.
--   2025: Tết 25/1-2/2 (Prime Minister, 26 Nov 2024); Giỗ Tổ Monday 7/4 (off 5/4-7/4);
--         30/4: off 30/4-4/5, 2/5 swapped with Saturday 26/4; Quốc khánh 30/8-2/9 with 1/9 as
--         the adjacent day. 1/1 on a Wednesday: the statutory rule.
--   2026: Tết Dương lịch 1/1-4/1, 2/1 swapped with Saturday 10/1 (Government Office letter
--         12729/VPCP-KGVX, 25 Dec 2025); Tết 14/2-22/2 and Quốc khánh 29/8-2/9, 31/8 swapped
--         with Saturday 22/8 (Ministry of Home Affairs, Oct 2025). Giỗ Tổ (Sunday 26/4, nghỉ bù
--         27/4) and 30/4-1/5 (Thursday, Friday): the statutory rule, as the press reported it in
--         Feb-Mar 2026; no swap had been announced for them.
CREATE TABLE holidays (
    day   INTEGER PRIMARY KEY,   -- local day number (days since 1970-01-01)
    name  TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'official'   -- 'official' shipped here, 'operator' added over the API
);

INSERT INTO holidays(day, name) VALUES
    -- 2023: 11 rows
    (19359, 'Nghỉ bù Tết Dương lịch'),            -- 2023-01-02 Mon (01/01 was a Sunday)
    (19377, 'Tết Nguyên đán'),                    -- 2023-01-20 Fri, 29 tháng Chạp
    (19380, 'Tết Nguyên đán'),                    -- 2023-01-23 Mon, mùng 2
    (19381, 'Tết Nguyên đán'),                    -- 2023-01-24 Tue, mùng 3
    (19382, 'Tết Nguyên đán'),                    -- 2023-01-25 Wed, mùng 4 (nghỉ bù)
    (19383, 'Tết Nguyên đán'),                    -- 2023-01-26 Thu, mùng 5 (nghỉ bù)
    (19478, 'Quốc tế Lao động'),                  -- 2023-05-01 Mon
    (19479, 'Nghỉ bù Giỗ Tổ Hùng Vương'),         -- 2023-05-02 Tue (10/3 lunar was Saturday 29/4)
    (19480, 'Nghỉ bù Ngày Giải phóng miền Nam'),  -- 2023-05-03 Wed (30/4 was a Sunday)
    (19601, 'Quốc khánh'),                        -- 2023-09-01 Fri, the adjacent day
    (19604, 'Nghỉ bù Quốc khánh'),                -- 2023-09-04 Mon (02/9 was a Saturday)

    -- 2024: 12 rows
    (19723, 'Tết Dương lịch'),                    -- 2024-01-01 Mon
    (19761, 'Tết Nguyên đán'),                    -- 2024-02-08 Thu, 29 tháng Chạp
    (19762, 'Tết Nguyên đán'),                    -- 2024-02-09 Fri, 30 tháng Chạp
    (19765, 'Tết Nguyên đán'),                    -- 2024-02-12 Mon, mùng 3
    (19766, 'Tết Nguyên đán'),                    -- 2024-02-13 Tue, mùng 4 (nghỉ bù)
    (19767, 'Tết Nguyên đán'),                    -- 2024-02-14 Wed, mùng 5 (nghỉ bù)
    (19831, 'Giỗ Tổ Hùng Vương'),                 -- 2024-04-18 Thu, 10/3 lunar
    (19842, 'Nghỉ hoán đổi'),                     -- 2024-04-29 Mon (worked on Saturday 2024-05-04)
    (19843, 'Ngày Giải phóng miền Nam'),          -- 2024-04-30 Tue
    (19844, 'Quốc tế Lao động'),                  -- 2024-05-01 Wed
    (19968, 'Quốc khánh'),                        -- 2024-09-02 Mon
    (19969, 'Quốc khánh'),                        -- 2024-09-03 Tue, the adjacent day

    -- 2025: 12 rows
    (20089, 'Tết Dương lịch'),                    -- 2025-01-01 Wed
    (20115, 'Tết Nguyên đán'),                    -- 2025-01-27 Mon, 28 tháng Chạp
    (20116, 'Tết Nguyên đán'),                    -- 2025-01-28 Tue, 29 tháng Chạp
    (20117, 'Tết Nguyên đán'),                    -- 2025-01-29 Wed, mùng 1
    (20118, 'Tết Nguyên đán'),                    -- 2025-01-30 Thu, mùng 2
    (20119, 'Tết Nguyên đán'),                    -- 2025-01-31 Fri, mùng 3
    (20185, 'Giỗ Tổ Hùng Vương'),                 -- 2025-04-07 Mon, 10/3 lunar
    (20208, 'Ngày Giải phóng miền Nam'),          -- 2025-04-30 Wed
    (20209, 'Quốc tế Lao động'),                  -- 2025-05-01 Thu
    (20210, 'Nghỉ hoán đổi'),                     -- 2025-05-02 Fri (worked on Saturday 2025-04-26)
    (20332, 'Quốc khánh'),                        -- 2025-09-01 Mon, the adjacent day
    (20333, 'Quốc khánh'),                        -- 2025-09-02 Tue

    -- 2026: 13 rows
    (20454, 'Tết Dương lịch'),                    -- 2026-01-01 Thu
    (20455, 'Nghỉ hoán đổi'),                     -- 2026-01-02 Fri (worked on Saturday 2026-01-10)
    (20500, 'Tết Nguyên đán'),                    -- 2026-02-16 Mon, 29 tháng Chạp
    (20501, 'Tết Nguyên đán'),                    -- 2026-02-17 Tue, mùng 1
    (20502, 'Tết Nguyên đán'),                    -- 2026-02-18 Wed, mùng 2
    (20503, 'Tết Nguyên đán'),                    -- 2026-02-19 Thu, mùng 3
    (20504, 'Tết Nguyên đán'),                    -- 2026-02-20 Fri, mùng 4
    (20570, 'Nghỉ bù Giỗ Tổ Hùng Vương'),         -- 2026-04-27 Mon (10/3 lunar is Sunday 26/4)
    (20573, 'Ngày Giải phóng miền Nam'),          -- 2026-04-30 Thu
    (20574, 'Quốc tế Lao động'),                  -- 2026-05-01 Fri
    (20696, 'Nghỉ hoán đổi'),                     -- 2026-08-31 Mon (worked on Saturday 2026-08-22)
    (20697, 'Quốc khánh'),                        -- 2026-09-01 Tue, the adjacent day
    (20698, 'Quốc khánh');                        -- 2026-09-02 Wed
