-- CreateTable
CREATE TABLE "MeetingRule" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "regionId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "day" INTEGER,
    "leadDays" INTEGER,
    "updatedById" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Meeting" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "regionId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "heldOn" TEXT NOT NULL,
    "agenda" TEXT NOT NULL,
    "agendaAt" DATETIME NOT NULL,
    "minutes" TEXT NOT NULL DEFAULT '',
    "guests" TEXT NOT NULL DEFAULT '',
    "recordedById" INTEGER,
    "recordedAt" DATETIME,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MeetingAttendee" (
    "meetingId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "invited" BOOLEAN NOT NULL DEFAULT true,
    "attended" BOOLEAN NOT NULL DEFAULT false,
    "remindedAt" DATETIME,

    PRIMARY KEY ("meetingId", "personId")
);

-- CreateTable
CREATE TABLE "MeetingDecision" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meetingId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "ticketId" INTEGER,
    "ledgerItemId" INTEGER,
    "ownerPersonId" INTEGER,
    "deadline" TEXT,
    "doneAt" DATETIME,
    "doneById" INTEGER,
    "createdById" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "MeetingRule_regionId_kind_key" ON "MeetingRule"("regionId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "Meeting_key_key" ON "Meeting"("key");

-- CreateIndex
CREATE INDEX "Meeting_regionId_heldOn_idx" ON "Meeting"("regionId", "heldOn");

-- CreateIndex
CREATE INDEX "Meeting_heldOn_idx" ON "Meeting"("heldOn");

-- CreateIndex
CREATE INDEX "MeetingAttendee_personId_idx" ON "MeetingAttendee"("personId");

-- CreateIndex
CREATE INDEX "MeetingDecision_meetingId_idx" ON "MeetingDecision"("meetingId");

-- CreateIndex
CREATE INDEX "MeetingDecision_ownerPersonId_doneAt_idx" ON "MeetingDecision"("ownerPersonId", "doneAt");
