-- CreateTable
CREATE TABLE "LedgerItem" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "regionId" INTEGER NOT NULL,
    "goal" TEXT NOT NULL,
    "measures" TEXT NOT NULL,
    "deadline" TEXT NOT NULL,
    "ownerPersonId" INTEGER,
    "ownerDepartmentId" INTEGER,
    "isPublic" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'open',
    "closedReason" TEXT,
    "closedAt" DATETIME,
    "closedById" INTEGER,
    "flaggedAt" DATETIME,
    "flaggedById" INTEGER,
    "flagNote" TEXT,
    "themeId" INTEGER,
    "createdById" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "LedgerTicket" (
    "itemId" INTEGER NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "linkedById" INTEGER NOT NULL,
    "linkedAt" DATETIME NOT NULL,

    PRIMARY KEY ("itemId", "ticketId")
);

-- CreateTable
CREATE TABLE "LedgerProgress" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "itemId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "LedgerItem_regionId_deadline_idx" ON "LedgerItem"("regionId", "deadline");

-- CreateIndex
CREATE INDEX "LedgerItem_ownerPersonId_idx" ON "LedgerItem"("ownerPersonId");

-- CreateIndex
CREATE INDEX "LedgerItem_ownerDepartmentId_idx" ON "LedgerItem"("ownerDepartmentId");

-- CreateIndex
CREATE INDEX "LedgerTicket_ticketId_idx" ON "LedgerTicket"("ticketId");

-- CreateIndex
CREATE INDEX "LedgerProgress_itemId_at_idx" ON "LedgerProgress"("itemId", "at");
